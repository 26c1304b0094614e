"""Organisations: the universities, companies and bodies that profiles belong to."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Engine, insert, select, update

from index.db.schema import organisations
from index.db.versioning import CatalogueVersion, UpsertOutcome, hash_record
from matcher.model import Organisation, OrganisationType


class OrganisationStore:
    """Read and write organisations in the catalogue database.

    Args:
        engine: an engine on a database opened with
            :func:`index.db.versioning.open_catalogue_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._versions = CatalogueVersion(engine)

    def upsert_organisation(self, organisation: Organisation) -> UpsertOutcome:
        """Add or replace an organisation; an identical one is left alone."""
        record = asdict(organisation)
        record["type"] = organisation.type.value
        digest = hash_record(record)
        with self._versions.writing() as connection:
            existing = connection.execute(
                select(organisations.c.content_hash).where(organisations.c.id == organisation.id)
            ).scalar_one_or_none()
            if existing == digest:
                return UpsertOutcome(organisation.id, "unchanged")
            values = {**record, "content_hash": digest}
            if existing is None:
                connection.execute(insert(organisations).values(**values))
            else:
                connection.execute(
                    update(organisations)
                    .where(organisations.c.id == organisation.id)
                    .values(**values)
                )
            self._versions.bump(connection)
        return UpsertOutcome(organisation.id, "added" if existing is None else "updated")

    def organisation_ids(self) -> set[str]:
        """The ids of every organisation."""
        with self._engine.connect() as connection:
            return set(connection.execute(select(organisations.c.id)).scalars())

    def organisations(self) -> list[Organisation]:
        """Every organisation, by id."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(organisations).order_by(organisations.c.id)).mappings()
            return [
                Organisation(
                    id=r["id"], name=r["name"], type=OrganisationType(r["type"]), region=r["region"]
                )
                for r in rows
            ]
