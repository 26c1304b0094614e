"""Partnership insight computed from arrays: themes of the pool (:mod:`.themes`), capability gaps
(:mod:`.gaps`), Sustainable Development Goal tags (:mod:`.sdg`, with the UN text in
:mod:`.sdg_text`) and the introductions funnel (:mod:`.funnel`). Pure: numpy, scipy and
scikit-learn only; the service reads, stores and draws."""
