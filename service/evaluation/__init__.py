"""Evaluation harnesses run through the product's own search path on the gold-standard
benchmark.

- :mod:`service.evaluation.goldstandard` — the expertise task;
- :mod:`service.evaluation.authorship` — the authorship task;
- :mod:`service.evaluation.archive` — readers of the benchmark's files, shared by both;
- :mod:`service.evaluation.scratch` — the temporary container both run in.
"""
