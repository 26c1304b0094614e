"""Batch matching of funding calls: a coordinator of parse → score → assign → consortia, jobs
and reports.

- :mod:`service.batch.run` — :func:`~service.batch.run.run_batch`, the coordinator;
- :mod:`service.batch.parse` — step 1: a call file's rows as briefs;
- :mod:`service.batch.score` — step 2: every brief through the search path;
- :mod:`service.batch.assign` — step 3: partners under capacities, conflicts and diversity;
- :mod:`service.batch.consortia` — step 4: consortia for grant and funding-call briefs (rules
  in :mod:`matcher.consortium`);
- :mod:`service.batch.result` — what a run returns;
- :mod:`service.batch.reports` — CSV, XLSX and HTML reports of a result;
- :mod:`service.batch.jobs` — background jobs, their reports and their withdrawal on erasure.
"""
