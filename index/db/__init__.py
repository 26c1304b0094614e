"""The catalogue's database, one module per concern: :mod:`~index.db.engine` opens SQLite or
PostgreSQL engines and runs the Alembic :mod:`~index.db.migrations` over the tables of
:mod:`~index.db.schema`; :mod:`~index.db.clock` writes every stored timestamp;
:mod:`~index.db.versioning` holds the catalogue version, the write lock and upsert outcomes;
:mod:`~index.db.organisations`, :mod:`~index.db.profiles` (profiles, evidence and chunks),
:mod:`~index.db.embedding_cache` and :mod:`~index.db.index_source` (what the vector index is
built from) are the catalogue's parts, which :mod:`~index.db.catalogue` composes into one
:class:`~index.db.catalogue.Catalogue`; :mod:`~index.db.accounts` (keys, sessions, shortlists),
:mod:`~index.db.introductions` and :mod:`~index.db.audit` are stores sharing the same database;
:mod:`~index.db.backup` backs up and restores a SQLite catalogue.
"""
