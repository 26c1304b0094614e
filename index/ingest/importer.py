"""Importing a research source into the catalogue: records in, profiles out, incrementally.

One run reads a source's records (a stream: works are staged a few thousand at a time, so memory
does not grow with the file), then

1. stages works and their authorships (:class:`~index.db.sources.SourceStore`); a work whose
   content hash is unchanged is only marked as seen;
2. resolves each person to a profile: a known source id or ORCID iD (aliases), else a name +
   organisation match (:func:`matcher.identity.name_confidence`): merged at or above
   :data:`~matcher.identity.MERGE_THRESHOLD`, else a new profile and a review for KE staff;
   suppressed (erased) people are skipped;
3. withdraws, for a full snapshot without rejected rows, the works of the same source it did not
   see;
4. assembles every profile whose people or works changed from all its sources: one evidence item
   per real work with its provenance, hidden items left out, pinned ones marked, co-authors
   (shared works within the recency window, and grant co-investigators) as conflicts of interest.

The caller (the container) then brings the index up to date: only new texts are embedded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from index.db.catalogue import Catalogue
from index.db.clock import now
from index.db.sources import SourceStore, StagedAuthorship, StagedPerson, StagedWork
from index.ingest.sources.mapping import (
    SOURCE_PRIORITY,
    merge_works,
    new_profile_id,
    organisation_id,
    restaged_hash,
    staged_person,
    staged_work,
    to_organisation,
)
from index.ingest.sources.model import (
    AuthorRole,
    ReadError,
    Source,
    SourceOrganisation,
    SourcePerson,
    SourceRecord,
    SourceWork,
    normalise_ror,
)
from index.ingest.sources.openalex import InstitutionFilter, our_authorships, people_of
from matcher.identity import (
    MERGE_THRESHOLD,
    REVIEW_THRESHOLD,
    coauthor_window_start,
    identifier_hash,
    name_confidence,
    name_identifier,
    name_key,
    normalise_organisation,
)
from matcher.model import (
    EvidenceItem,
    EvidenceType,
    Organisation,
    OrganisationType,
    Profile,
    ProfileKind,
)

UNKNOWN_ORGANISATION = Organisation("unknown", "Organisation not known", OrganisationType.OTHER)
"""Where a person whose sources name no organisation is filed, for KE staff to correct."""

WORK_BATCH = 2_000
PROFILE_BATCH = 200
FIRST_PROFILE_BATCH = 20
ASSEMBLY_WORKS = 4_000
"""About how many staged works the profiles assembled at once may hold (fewer profiles per
batch when each has many works)."""
_INVESTIGATORS = frozenset(
    {AuthorRole.PRINCIPAL_INVESTIGATOR, AuthorRole.CO_INVESTIGATOR, AuthorRole.FELLOW}
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How one run imports.

    Attributes:
        institutions: whose OpenAlex authorships become profiles (others are co-authors only;
            people already in the pool are always recognised).
        full: the files are the source's complete record: works of the source not seen are
            withdrawn (skipped when any row was rejected).
        coauthor_years: shared works at most this many years old are conflicts of interest.
        current_year: the year the window ends in (this year by default).
        listed: whether a profile this run creates is listed (``consent``) in searches and
            listings. Unlisted by default: people imported from public sources are shown only
            by a documented decision of the office (docs/sources.md, "Consent"). A profile that
            already exists keeps its consent, whatever this says.
    """

    institutions: InstitutionFilter = field(default_factory=InstitutionFilter)
    full: bool = False
    coauthor_years: int = 3
    current_year: int | None = None
    listed: bool = False


@dataclass(slots=True)
class ImportReport:
    """What one import run did."""

    source: str
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    people_merged: int = 0
    to_review: int = 0
    suppressed: int = 0
    works_added: int = 0
    works_changed: int = 0
    works_unchanged: int = 0
    works_withdrawn: int = 0
    withdrawal_skipped: bool = False
    texts_embedded: int = 0
    errors: list[ReadError] = field(default_factory=list)
    changed_profiles: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows reported as errors."""
        return len(self.errors)

    def summary(self) -> str:
        """One line for people."""
        skipped = " (withdrawal skipped: rows were rejected)" if self.withdrawal_skipped else ""
        return (
            f"{self.source}: people {self.people_created} created, {self.people_updated} updated, "
            f"{self.people_merged} merged, {self.to_review} to review"
            f"{f', {self.suppressed} suppressed' if self.suppressed else ''}; works "
            f"{self.works_added} added, {self.works_changed} changed, {self.works_unchanged} "
            f"unchanged, {self.works_withdrawn} withdrawn{skipped}; texts embedded: "
            f"{self.texts_embedded}; rows rejected: {self.rejected}"
        )


class Importer:
    """One import run of one source into a catalogue.

    Args:
        catalogue: where organisations and profiles go.
        store: the importers' tables (usually over the catalogue's engine).
        source: the source being imported.
        options: the run's options.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        store: SourceStore,
        source: Source,
        options: ImportOptions | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._source = source
        self._options = options or ImportOptions()
        self.report = ImportReport(source.value)
        self._run = store.last_run() + 1
        self._aliases = store.aliases()
        self._suppressed = store.suppressed()
        self._people: dict[str, SourcePerson] = {}
        self._seen_people: set[str] = set()
        self._affected: set[tuple[str, str]] = set()
        self._affected_profiles: set[str] = set()
        self._organisations: dict[str, tuple[str, str]] = {}  # source id → (our id, name)
        self._pending_organisations: dict[str, SourceOrganisation] = {}
        self._by_name = {normalise_organisation(o.name): o.id for o in catalogue.organisations()}
        self._works: list[tuple[StagedWork, list[StagedAuthorship]]] = []

    # ------------------------------------------------------------------ the run
    def run(
        self, records: Iterable[SourceRecord | ReadError], *, progress: Progress | None = None
    ) -> ImportReport:
        """Import every record, then resolve people, withdraw and assemble profiles.

        Args:
            records: a reader's (or fetcher's) stream.
            progress: called as ``progress(done, total)`` while profiles are assembled.
        """
        for record in records:
            if isinstance(record, ReadError):
                self.report.errors.append(record)
            elif isinstance(record, SourceOrganisation):
                self._organisation(record)
            elif isinstance(record, SourcePerson):
                self._person(record)
            else:
                self._work(record)
                if len(self._works) >= WORK_BATCH:
                    self._flush_works()
        self._flush_works()
        self._resolve_people()
        self._adopt_authorships()
        self._withdraw()
        self._assemble(progress)
        return self.report

    def rebuild(self, profile_ids: Iterable[str]) -> ImportReport:
        """Assemble profiles again from what their sources said, with everyone they share a
        work with; nothing is read."""
        self.report = ImportReport("people")
        ids = set(profile_ids)
        people = self._store.people_of(ids)
        keys = {(p.source, p.source_id) for rows in people.values() for p in rows}
        works = self._store.works_of(keys)
        self._affected_profiles = ids
        self._affected = self._store.people_on(
            {(w.source, w.source_id) for found in works.values() for w, _ in found}
        )
        self._assemble(None)
        return self.report

    # ------------------------------------------------------------------ reading
    def _organisation(self, organisation: SourceOrganisation) -> str:
        known = self._organisations.get(organisation.source_id)
        if known is not None:
            return known[0]
        our_id = organisation_id(organisation)
        if not organisation.ror:  # the same name from another source is the same organisation
            our_id = self._by_name.get(normalise_organisation(organisation.name), our_id)
        self._organisations[organisation.source_id] = (our_id, organisation.name)
        # an organisation found under another source's id is that source's to describe; it is
        # written when one of our people is at it (co-authors' organisations are not needed)
        if our_id == organisation_id(organisation):
            self._pending_organisations.setdefault(our_id, organisation)
        self._by_name.setdefault(normalise_organisation(organisation.name), our_id)
        return our_id

    def _is_suppressed(self, source: str, person: str, orcid: str) -> bool:
        hashes = {identifier_hash(source, person)}
        if orcid:
            hashes.add(identifier_hash("orcid", orcid))
        return bool(hashes & self._suppressed)

    def _person(self, person: SourcePerson) -> None:
        # a person's own record beats what an authorship says about them
        known = self._people.get(person.source_id)
        if known is None or len(person.biography) + len(person.keywords) >= len(
            known.biography
        ) + len(known.keywords):
            merged = person
            if known is not None:
                merged = replace(
                    person,
                    orcid=person.orcid or known.orcid,
                    organisation=person.organisation or known.organisation,
                    organisation_name=person.organisation_name or known.organisation_name,
                    unit=person.unit or known.unit,
                )
            self._people[person.source_id] = merged

    def _ours(self, work: SourceWork) -> frozenset[str]:
        source = self._source.value
        if self._source is Source.OPENALEX:
            chosen = {a.person for a in our_authorships(work, self._options.institutions)}
            chosen |= {
                a.person
                for a in work.authors
                if a.person
                and ((source, a.person) in self._aliases or (a.orcid and ("orcid", a.orcid) in self._aliases))
            }  # fmt: skip
        elif self._source is Source.GTR:
            chosen = {a.person for a in work.authors if a.role in _INVESTIGATORS}
        elif self._source is Source.PURE:
            chosen = {a.person for a in work.authors if a.internal}
        else:
            chosen = {a.person for a in work.authors}
        by_id = {a.person: a for a in work.authors}
        return frozenset(
            p for p in chosen if p and not self._is_suppressed(source, p, by_id[p].orcid)
        )

    def _work(self, work: SourceWork) -> None:
        for organisation in work.organisations:
            self._organisation(organisation)
        ours = self._ours(work)
        if self._source is Source.OPENALEX:
            for person in people_of(work, self._options.institutions):
                self._person(self._at_top_organisation(work, person))
        for authorship in work.authors:
            if (
                authorship.person in ours
                and authorship.person not in self._people
                and authorship.name
            ):
                self._person(
                    SourcePerson(
                        source=work.source,
                        source_id=authorship.person,
                        name=authorship.name,
                        orcid=authorship.orcid,
                        organisation=next(iter(authorship.institutions), ""),
                        unit=authorship.unit,
                        retrieved_at=work.retrieved_at,
                    )
                )  # fmt: skip
        self._works.append(staged_work(work, ours))

    def _at_top_organisation(self, work: SourceWork, person: SourcePerson) -> SourcePerson:
        """An OpenAlex person at a department is filed at its institution, the department
        becoming their unit (when the institution is on the same work)."""
        by_id = {o.source_id: o for o in work.organisations}
        home = by_id.get(person.organisation)
        if home is None or not home.parents:
            return person
        top = next((by_id[p] for p in reversed(home.parents) if p in by_id), None)
        if top is None:
            return person
        return replace(
            person, organisation=top.source_id, organisation_name=top.name, unit=home.name
        )

    def _flush_works(self) -> None:
        if not self._works:
            return
        works = [w for w, _ in self._works]
        authorships = [a for _, rows in self._works for a in rows]
        statuses = self._store.write_works(works, authorships, run=self._run)
        for work, rows in self._works:
            status = statuses[(work.source, work.source_id)]
            if status == "unchanged":
                self.report.works_unchanged += 1
                continue
            if status == "added":
                self.report.works_added += 1
            else:
                self.report.works_changed += 1
            self._affected.update((a.source, a.person) for a in rows)
        self._works = []

    # ------------------------------------------------------------------ identity
    def _organisation_of(self, person: SourcePerson) -> tuple[str, str]:
        known = self._organisations.get(person.organisation)
        if known is not None:
            return known
        ror = normalise_ror(person.organisation)
        if ror:  # Pure names its installation's institution by ROR id
            return f"ror-{ror}", person.organisation_name
        return "", person.organisation_name

    def _resolve_people(self) -> None:
        """Attach each person read to a profile (see the module's docstring)."""
        source = self._source.value
        staged = self._store.people()
        by_name: dict[str, list[StagedPerson]] = {}
        for row in staged.values():
            by_name.setdefault(row.name_key, []).append(row)
        profile_orcids: dict[str, set[str]] = {}
        for (scheme, value), profile_id in self._aliases.items():
            if scheme == "orcid":
                profile_orcids.setdefault(profile_id, set()).add(value)
        rows: list[StagedPerson] = []
        aliases: dict[tuple[str, str], str] = {}
        for person in self._people.values():
            org_id, org_name = self._organisation_of(person)
            if self._is_suppressed(source, person.source_id, person.orcid) or (
                identifier_hash("name", name_identifier(person.name, org_name)) in self._suppressed
            ):
                self.report.suppressed += 1
                continue
            before = staged.get((source, person.source_id))
            if before is not None:
                row = staged_person(
                    person,
                    profile_id=before.profile_id,
                    link=before.link,
                    organisation_id=org_id,
                    organisation_name=org_name,
                )
                if row.content_hash == before.content_hash:
                    self.report.people_unchanged += 1
                    continue
            else:
                profile_id, link = self._identify(person, org_name, by_name, profile_orcids)
                row = staged_person(
                    person,
                    profile_id=profile_id,
                    link=link,
                    organisation_id=org_id,
                    organisation_name=org_name,
                )
                by_name.setdefault(row.name_key, []).append(row)
            rows.append(row)
            aliases[(source, person.source_id)] = row.profile_id
            self._aliases[(source, person.source_id)] = row.profile_id
            if person.orcid:
                aliases[("orcid", person.orcid)] = row.profile_id
                self._aliases[("orcid", person.orcid)] = row.profile_id
                profile_orcids.setdefault(row.profile_id, set()).add(person.orcid)
            self._affected_profiles.add(row.profile_id)
        for our_id in sorted({r.organisation_id for r in rows}):
            pending = self._pending_organisations.pop(our_id, None)
            if pending is not None:
                self._catalogue.upsert_organisation(to_organisation(pending, our_id))
        self._store.write_people(rows, aliases)
        self._seen_people = set(self._people)
        self._people = {}

    def _identify(
        self,
        person: SourcePerson,
        organisation_name: str,
        by_name: dict[str, list[StagedPerson]],
        profile_orcids: dict[str, set[str]],
    ) -> tuple[str, str]:
        """(profile id, link) for a person not seen before in this source."""
        if person.orcid and ("orcid", person.orcid) in self._aliases:
            self.report.people_merged += 1
            return self._aliases[("orcid", person.orcid)], "id"
        best: tuple[float, str, str] = (0.0, "", "")
        for other in by_name.get(name_key(person.name), []):
            others = profile_orcids.get(other.profile_id, set())
            if person.orcid and others and person.orcid not in others:
                continue  # two ORCID iDs: two people, whatever the names say
            found = name_confidence(
                person.name, organisation_name, other.name, other.organisation_name
            )
            if found.confidence > best[0]:
                best = (found.confidence, other.profile_id, found.reason)
        confidence, candidate, reason = best
        if confidence >= MERGE_THRESHOLD:
            self.report.people_merged += 1
            return candidate, "name"
        profile_id = new_profile_id(person)
        if (
            confidence >= REVIEW_THRESHOLD
            and candidate != profile_id
            and self._store.add_review(profile_id, candidate, confidence, reason)
        ):
            self.report.to_review += 1
        return profile_id, "id"

    def _adopt_authorships(self) -> None:
        """Make *ours* the authorships of this run's works whose people are in the pool now.

        An OpenAlex authorship without one of our institutions is ours only when its person is
        already in the pool (:meth:`_ours`); while a file is read, that means before this run,
        so a person first met in this run would own their other works only from the next run
        on, and the same file imported again would change their profile. Deciding it once more
        after the run's people are resolved makes the outcome independent of the order of the
        records and a re-import of the same file a no-op.
        """
        if self._source is not Source.OPENALEX:
            return  # the other sources' ours does not depend on the pool
        source = self._source.value
        pairs = [
            (work_id, person)
            for work_id, person, orcid in self._store.authorships_not_ours(source, self._run)
            if (source, person) in self._aliases and not self._is_suppressed(source, person, orcid)
        ]
        if pairs:
            self._affected |= self._store.adopt(source, pairs, restaged_hash)

    # ------------------------------------------------------------------ withdrawal
    def _withdraw(self) -> None:
        # an ORCID record lists all of its owner's works: its own leavers go, always
        whole_records = self._source is Source.ORCID
        if not self._options.full and not whole_records:
            return
        if self.report.errors:
            # a rejected row may be a work that is still there: losing it would be worse
            self.report.withdrawal_skipped = True
            return
        prefixes = (
            [f"{orcid_id}/" for orcid_id in sorted(self._seen_people)] if whole_records else None
        )
        count, people = self._store.withdraw(self._source.value, self._run, prefixes=prefixes)
        self.report.works_withdrawn = count
        self._affected |= people

    # ------------------------------------------------------------------ profiles
    def _profile_of(self, source: str, person: str, orcid: str = "") -> str | None:
        found = self._aliases.get((source, person))
        if found is None and orcid:
            found = self._aliases.get(("orcid", orcid))
        return found

    def _assemble(self, progress: Progress | None) -> None:
        wanted = set(self._affected_profiles)
        for source, person in self._affected:
            found = self._profile_of(source, person)
            if found is not None:
                wanted.add(found)
        ordered = sorted(wanted)
        year = self._options.current_year or now().year
        window = coauthor_window_start(year, self._options.coauthor_years)
        known_organisations = self._catalogue.organisation_ids()
        # a first small batch measures how many works a profile holds in this pool; the next
        # batches are sized from it (a big snapshot gives each person many works)
        start, size = 0, FIRST_PROFILE_BATCH
        while start < len(ordered):
            batch = ordered[start : start + size]
            profiles, works = self._build(batch, window, known_organisations)
            for outcome in self._catalogue.profile_store.upsert_profiles(profiles):
                if outcome.status == "added":
                    self.report.people_created += 1
                elif outcome.status == "updated":
                    self.report.people_updated += 1
                if outcome.status != "unchanged":
                    self.report.changed_profiles.append(outcome.id)
            start += len(batch)
            if progress is not None:
                progress(start, len(ordered))
            # as many profiles as hold about ASSEMBLY_WORKS works: a bigger snapshot gives the
            # same people more works each, and memory must not grow with it
            size = max(1, min(PROFILE_BATCH, len(batch) * ASSEMBLY_WORKS // max(works, 1)))

    def _build(self, batch: list[str], window: int, known: set[str]) -> tuple[list[Profile], int]:
        """The profiles of ``batch`` assembled, and how many staged works they were built of."""
        people = self._store.people_of(batch)
        existing = self._catalogue.get_profiles(batch, with_evidence=False)
        keys = {(p.source, p.source_id) for rows in people.values() for p in rows}
        works = self._store.works_of(keys)
        on_works = self._store.coauthors_of(
            {(w.source, w.source_id) for found in works.values() for w, _ in found}
        )
        curation = self._store.curation_of(batch)
        profiles: list[Profile] = []
        for profile_id in batch:
            rows = sorted(people.get(profile_id, []), key=_person_priority)
            if not rows:
                continue  # merged away or erased
            own = [w for p in rows for w, _ in works.get((p.source, p.source_id), [])]
            items = []
            choices = curation.get(profile_id, {})
            for merged in merge_works(own):
                states = {choices[k] for k in merged.keys if k in choices}
                if "hidden" in states:
                    continue  # never embedded, never shown
                items.append(replace(merged.item, pinned="pinned" in states))
            coauthors = self._coauthors(profile_id, own, on_works, window)
            before = existing.get(profile_id)
            listed = before.consent if before is not None else self._options.listed
            profile = self._profile(profile_id, rows, tuple(items), coauthors, known)
            profiles.append(replace(profile, consent=listed))
        return profiles, sum(len(found) for found in works.values())

    def _coauthors(
        self,
        profile_id: str,
        works: list[StagedWork],
        on_works: dict[tuple[str, str], list[tuple[str, str, str]]],
        window: int,
    ) -> tuple[str, ...]:
        found: set[str] = set()
        for work in works:
            recent = work.year is not None and work.year >= window
            # grants run for years after they start: their co-investigators always count
            if not recent and work.type != EvidenceType.GRANT.value:
                continue
            for person, orcid, _role in on_works.get((work.source, work.source_id), []):
                other = self._profile_of(work.source, person, orcid)
                if other is not None and other != profile_id:
                    found.add(other)
        return tuple(sorted(found))

    def _profile(
        self,
        profile_id: str,
        rows: list[StagedPerson],
        items: tuple[EvidenceItem, ...],
        coauthors: tuple[str, ...],
        known: set[str],
    ) -> Profile:
        first = rows[0]
        organisation = next((p for p in rows if p.organisation_id in known), None)
        if organisation is None:
            if UNKNOWN_ORGANISATION.id not in known:
                self._catalogue.upsert_organisation(UNKNOWN_ORGANISATION)
                known.add(UNKNOWN_ORGANISATION.id)
            organisation_id_ = UNKNOWN_ORGANISATION.id
        else:
            organisation_id_ = organisation.organisation_id
        keywords = tuple(dict.fromkeys(k for p in rows for k in p.keywords))
        return Profile(
            id=profile_id,
            kind=ProfileKind.ACADEMIC,
            name=first.name,
            organisation_id=organisation_id_,
            unit=next((p.unit for p in rows if p.unit), ""),
            summary=next((p.biography for p in rows if p.biography), ""),
            keywords=keywords[:30],
            coauthors=coauthors,
            evidence=items,
            updated_at=max(p.retrieved_at for p in rows) or "",
        )


def rebuild_profiles(
    catalogue: Catalogue,
    profile_ids: Iterable[str],
    *,
    coauthor_years: int = 3,
    listed: bool = False,
) -> ImportReport:
    """Assemble ``profile_ids`` again from their sources (after a merge or a split), and the
    profiles they share works with (their co-author links change too). Existing profiles keep
    their consent; new ones (a split's) are listed only when ``listed``."""
    store = SourceStore(catalogue.engine)
    options = ImportOptions(coauthor_years=coauthor_years, listed=listed)
    importer = Importer(catalogue, store, Source.OPENALEX, options)
    return importer.rebuild(profile_ids)


def _person_priority(person: StagedPerson) -> tuple[int, str]:
    rank = SOURCE_PRIORITY.index(person.source) if person.source in SOURCE_PRIORITY else 9
    return (rank, person.source_id)


def import_records(
    catalogue: Catalogue,
    source: Source,
    records: Iterable[SourceRecord | ReadError],
    *,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Run one :class:`Importer` over ``records`` (see the module's docstring)."""
    store = SourceStore(catalogue.engine)
    return Importer(catalogue, store, source, options).run(records, progress=progress)
