"""Search: one implementation of ranking for single searches, batch runs and evaluation.

- :mod:`service.search.engine` — :class:`~service.search.engine.SearchEngine`: brief → encoder →
  index candidates → filters and exact, bound-settled scores → explanation;
- :mod:`service.search.profiles` — ranking profiles as a name → scorer table (``fast``,
  ``thorough``);
- :mod:`service.search.thorough` — the thorough profile's signals (a name → signal table) and
  their fusion.
"""
