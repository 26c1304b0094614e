"""Partnership insight computed from arrays: themes of the pool (:mod:`.themes`), capability gaps
(:mod:`.gaps`) and Sustainable Development Goal tags (:mod:`.sdg`, with the UN text in
:mod:`.sdg_text`). Pure: numpy, scipy and scikit-learn only; the service reads and stores."""
