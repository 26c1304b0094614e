"""Pure domain code of ke-matcher: data model, ranking, explanations and evaluation metrics.

Nothing in this package touches files, environment variables, FAISS, torch, SQL or HTTP; it takes
arrays and dataclasses and returns new ones (a test enforces the rule).
"""
