"""A seeded synthetic region at any size, for the benchmarks at scale.

**Texts.** :func:`write_region` writes organisations (``organisations.csv``) and profiles
(``profiles-NNN.jsonl``, at most 100 MB each) in the ingestion format of ``docs/data-format.md``:
academics with 3-120 publications and grants, clinical teams with their needs, SMEs with their
challenges, about 3% of them without consent. The texts come from the demo data's own generator and
vocabulary (``data/demo/generate.py`` and ``topics.py``, imported, not copied): the same sentence
templates over 44 topics, so every abstract, need and challenge reads like the demo's but the
region can be as large as asked. Its size is counted in chunks (one vector each: every evidence
item plus the profile's summary), and generation stops at exactly that many. Every profile draws
from its own seeded generator, so a region is the same on every run and a smaller region is the
beginning of a larger one.

**Vectors.** Embedding a million chunks through the model would take hours on two cores, so the
chunks' vectors are made from real embeddings of a smaller real-text sample instead
(:func:`sample_vectors`): a few thousand texts generated the same way, about as many per topic,
are embedded with the configured encoder (ONNX by default; the matrix is kept in the benchmark's
work folder so a second run does not embed them again). A chunk of topic *t* then gets a random
mix of two sample vectors of topic *t* (weights uniform), plus Gaussian noise of norm ``noise``
(0.25 by default), renormalised (:func:`region_vectors`). The vectors thus keep the real
geometry of the topics (briefs find the right topics) without being copies of a few thousand
points. They are stored in the real embedding cache under the chunks' own text hashes
(:meth:`index.db.catalogue.Catalogue.cache_vectors`), so the catalogue, ``matcher build``, the
index, the chunk-to-profile mapping and the service are the real ones at full size; only the
encoder's work for the stored chunks is skipped. Briefs (:func:`briefs`) are generated with
another seed and encoded for real at search time.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from index.encoders.base import Encoder

ROOT = Path(__file__).resolve().parents[1]
DEMO_GENERATOR = ROOT / "data" / "demo" / "generate.py"

#: Shares of the profiles by kind (the chunks are mostly academics' publications).
KIND_SHARES = (("academic", 0.6), ("clinical_team", 0.25), ("sme", 0.15))
NO_CONSENT_SHARE = 0.03
#: Seeds of the profiles are ``seed * PROFILE_STRIDE + number``; briefs and the sample use others.
PROFILE_STRIDE = 10_000_000


@cache
def demo() -> ModuleType:
    """The demo data's generator module (its ``Writer``, vocabulary and organisations)."""
    spec = importlib.util.spec_from_file_location("ke_demo_generate", DEMO_GENERATOR)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {DEMO_GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True, slots=True)
class Region:
    """A region written to disk, possibly in parts (each part continues the one before).

    Attributes:
        files: the files of the last part written (organisations first), to ingest.
        chunks: how many chunks (vectors) the profiles of every part make together.
        last: the number of the last profile written.
        profiles: how many profiles of every part, by kind.
        item_topics: evidence item id (unique across profiles) → topic number in ``TOPICS``.
    """

    files: list[Path]
    chunks: int
    last: int
    profiles: dict[str, int]
    item_topics: dict[str, int]


class _Profiles:
    """Builds one profile at a time, each from its own seeded demo ``Writer``."""

    def __init__(self, seed: int) -> None:
        self.g = demo()
        self.seed = seed
        self.topics: Sequence[Any] = self.g.TOPICS
        self.domain = [t for t in self.topics if not t.method]
        self.methods = [t for t in self.topics if t.method]
        self.number_of = {t.key: n for n, t in enumerate(self.topics)}

    def make(self, number: int, budget: int) -> tuple[dict[str, Any], list[int], dict[str, str]]:
        """Profile ``number`` with at most ``budget`` chunks (summary included); returns the
        record, the topic number of each chunk (summary last) and the SME's organisation (if
        any, else empty)."""
        w = self.g.Writer(self.seed * PROFILE_STRIDE + number)
        roll = w.rng.random()
        if roll < KIND_SHARES[0][1] or budget < 2:
            record, topics = self.academic(w, number, budget)
            org: dict[str, str] = {}
        elif roll < KIND_SHARES[0][1] + KIND_SHARES[1][1]:
            record, topics = self.clinical_team(w, number, budget)
            org = {}
        else:
            record, topics, org = self.sme(w, number, budget)
        record["consent"] = not w.chance(NO_CONSENT_SHARE)
        return record, topics, org

    def academic(self, w: Any, number: int, budget: int) -> tuple[dict[str, Any], list[int]]:
        g, rng = self.g, w.rng
        t = w.rng.choice(self.methods) if w.chance(0.08) else w.rng.choice(self.domain)
        faculty = w.pick(t.faculties)
        universities = [u for u in g.UNIVERSITIES if faculty in u[4]]
        uid, _name, region, email_domain, _faculties = universities[
            rng.randrange(len(universities))
        ]
        first, last = w.person()
        profile_id = f"r-acad-{number:07d}"
        uses = rng.sample(self.domain, rng.randint(2, 4)) if t.method else []
        second = None
        if not t.method and w.chance(0.3):
            second = rng.choice([o for o in self.domain if o is not t and faculty in o.faculties])
        # publication counts are skewed: most people have a few dozen, a few have many more
        count = int(min(120, max(3, rng.lognormvariate(3.1, 0.6))))
        count = min(count, budget - 1)  # 0 when one chunk is left: a summary only
        evidence: list[dict[str, Any]] = []
        topics: list[int] = []
        pubs = grants = 0
        for year in sorted(rng.randint(2000, 2026) for _ in range(count)):
            source = second if second is not None and w.chance(0.35) else t
            if t.method:
                source = uses[rng.randrange(len(uses))]
            if w.chance(0.18) and year >= 2005:
                grants += 1
                title, text, funder = w.grant(source, year, t if t.method else None)
                item = {"id": f"{profile_id}-g{grants}", "type": "grant", "funder": funder}
            else:
                pubs += 1
                if t.method:
                    title, text = w.method_publication(t, source)
                else:
                    title, text = w.publication(source)
                item = {"id": f"{profile_id}-p{pubs}", "type": "publication"}
            evidence.append({**item, "title": title, "text": text, "year": year})
            topics.append(self.number_of[source.key])
        role = w.pick(g.ROLE_NOUNS[faculty])
        if t.method:
            summary = (
                f"{role}; methods: {w.pick(t.interventions)}. Recent applications: "
                f"{g.join_and([u.label for u in uses[:3]])}."
            )
        else:
            summary = w.pick(
                (
                    f"{role} in {t.label}: {w.pick(t.conditions)} and {w.pick(t.interventions)}.",
                    f"{role}. Studies {w.pick(t.conditions)} with {w.pick(t.populations)} in {w.pick(t.settings)}.",
                    f"{role} testing {w.pick(t.interventions)} to improve {w.pick(t.improve)}.",
                )
            )
            if second is not None:
                summary += f" Second interest: {second.label}."
        topics.append(self.number_of[t.key])
        record = {
            "record": "profile",
            "id": profile_id,
            "kind": "academic",
            "name": f"{w.pick(g.TITLES)} {first} {last}",
            "organisation": uid,
            "unit": faculty,
            "region": region,
            "summary": summary,
            "keywords": rng.sample(t.keywords, min(len(t.keywords), rng.randint(3, 5))),
            "capacity": rng.randint(1, 5),
            "contact": f"{first[0].lower()}.{last.lower()}.{number}@{email_domain}",
            "evidence": evidence,
        }
        return record, topics

    def clinical_team(self, w: Any, number: int, budget: int) -> tuple[dict[str, Any], list[int]]:
        g, rng = self.g, w.rng
        t = rng.choice(self.domain)
        body = rng.choice([b for b in g.NHS_BODIES if b.services.get(t.service)])
        specialty = t.specialties[0] if w.chance(0.65) else w.pick(t.specialties)
        site = w.pick(body.sites)
        ward = ""
        if body.kind != "hscp" and specialty in g.WARD_SPECIALTIES and w.chance(0.6):
            ward = f"{w.pick(g.WARD_NAMES)} Ward"
        profile_id = f"r-clin-{number:07d}"
        count = max(1, min(rng.randint(1, len(t.needs)), budget - 1))
        evidence = []
        for i, index in enumerate(rng.sample(range(len(t.needs)), count), start=1):
            title, text = w.need(t, index, specialty, ward, site)
            evidence.append(
                {
                    "id": f"{profile_id}-n{i}",
                    "type": "need",
                    "title": title,
                    "text": text,
                    "specialty": specialty,
                }
            )
        name = f"{specialty}, {ward}, {site}" if ward else f"{specialty} team, {site} ({number})"
        record = {
            "record": "profile",
            "id": profile_id,
            "kind": "clinical_team",
            "name": name,
            "organisation": body.org_id,
            "unit": specialty,
            "region": body.region,
            "summary": f"{specialty}, {site}. Looking for partners on {w.pick(t.conditions)} "
            f"({t.label}).",
            "keywords": rng.sample(t.keywords, min(len(t.keywords), rng.randint(3, 5))),
            "capacity": rng.randint(1, 5),
            "contact": f"{g.slug(specialty)}.{number}@{body.domain}",
            "evidence": evidence,
        }
        return record, [self.number_of[t.key]] * (len(evidence) + 1)

    def sme(
        self, w: Any, number: int, budget: int
    ) -> tuple[dict[str, Any], list[int], dict[str, str]]:
        g, rng = self.g, w.rng
        t = rng.choice(self.domain)
        company = f"{w.place()} {w.pick(g.SECTOR_NOUNS[t.sector])} {number}"
        org_id = f"org-r-{g.slug(company)}"
        region = w.pick((g.NORTH_WEST, g.WEST_SCOTLAND))
        product = w.pick(t.products)
        base = rng.randint(3, 9)
        profile_id = f"r-sme-{number:07d}"
        evidence = []
        for i in range(max(1, min(rng.randint(1, 4), budget - 1))):
            trl = max(1, min(9, base + rng.choice((-1, 0, 0, 1)))) if i else base
            title, text = w.challenge(t, company, product, trl)
            evidence.append(
                {
                    "id": f"{profile_id}-c{i + 1}",
                    "type": "challenge",
                    "title": title,
                    "text": text,
                    "sector": t.sector,
                    "readiness_level": trl,
                }
            )
        record = {
            "record": "profile",
            "id": profile_id,
            "kind": "sme",
            "name": company,
            "organisation": org_id,
            "unit": t.sector,
            "region": region,
            "summary": f"Makers of {g.article(product)} ({t.sector}), working with "
            f"{w.pick(t.populations)} on {t.label}.",
            "keywords": [t.sector, *rng.sample(t.keywords, min(len(t.keywords), 3))],
            "capacity": rng.randint(1, 5),
            "contact": f"hello@{g.slug(company).replace('-', '')}.example",
            "evidence": evidence,
        }
        organisation = {"id": org_id, "name": f"{company} Ltd (fictional)", "type": "sme"}
        return (
            record,
            [self.number_of[t.key]] * (len(evidence) + 1),
            {**organisation, "region": region},
        )


#: The largest profiles file written (well under ingestion's limit on one file).
FILE_BYTES = 100 * 1024 * 1024


def write_region(
    directory: Path, *, chunks: int, seed: int = 7, after: Region | None = None
) -> Region:
    """Write a region of exactly ``chunks`` chunks to ``directory`` (created if needed); with
    ``after``, write only the profiles that grow that region (same seed) to ``chunks``.

    Every evidence text is shorter than the default chunk size (the model's window of 256
    tokens), so each item and each summary is one chunk.

    Raises:
        ValueError: ``chunks`` is below 2, or not above the size of ``after``.
    """
    start = after.chunks if after is not None else 0
    if chunks < 2 or chunks <= start:
        raise ValueError(f"cannot grow a region of {start} chunks to {chunks}")
    directory.mkdir(parents=True, exist_ok=True)
    maker = _Profiles(seed)
    item_topics: dict[str, int] = dict(after.item_topics) if after is not None else {}
    counts = dict(after.profiles) if after is not None else {kind: 0 for kind, _ in KIND_SHARES}
    organisations: list[dict[str, str]] = list(maker.g.organisations())
    written = start
    number = after.last if after is not None else 0
    # Files of at most FILE_BYTES each: ingestion refuses single files over its size limit.
    profile_paths: list[Path] = []
    handle: TextIO | None = None
    try:
        while written < chunks:
            if handle is None or handle.tell() >= FILE_BYTES:
                if handle is not None:
                    handle.close()
                profile_paths.append(directory / f"profiles-{len(profile_paths) + 1:03d}.jsonl")
                handle = profile_paths[-1].open("w", encoding="utf-8")
            number += 1
            record, topics, org = maker.make(number, chunks - written)
            if org:
                organisations.append(org)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            ids = [item["id"] for item in record["evidence"]] + [f"{record['id']}#summary"]
            item_topics.update(zip(ids, topics, strict=True))
            written += len(ids)
            counts[record["kind"]] += 1
    finally:
        if handle is not None:
            handle.close()
    organisations_path = directory / "organisations.csv"
    with organisations_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "name", "type", "region"])
        writer.writeheader()
        writer.writerows(organisations)
    return Region([organisations_path, *profile_paths], written, number, counts, item_topics)


def sample_texts(per_topic: int, *, seed: int = 7) -> tuple[list[str], npt.NDArray[np.int64]]:
    """``per_topic`` texts of every topic, made like the region's (publications and grants;
    needs and challenges for the topics that have them), with their topic numbers."""
    g = demo()
    w = g.Writer(seed * PROFILE_STRIDE - 1)
    texts: list[str] = []
    topics: list[int] = []
    methods = [t for t in g.TOPICS if t.method]
    domain = [t for t in g.TOPICS if not t.method]
    for number, t in enumerate(g.TOPICS):
        for n in range(per_topic):
            kind = n % 6
            if t.method:
                title, text = w.method_publication(t, w.rng.choice(domain))
            elif kind == 0:
                title, text, _ = w.grant(t, 2020, w.rng.choice(methods) if w.chance(0.2) else None)
            elif kind == 1 and t.needs:
                index = w.rng.randrange(len(t.needs))
                title, text = w.need(t, index, t.specialties[0], "", "the hospital")
            elif kind == 2 and t.products:
                title, text = w.challenge(t, "The company", w.pick(t.products), 5)
            else:
                title, text = w.publication(t)
            texts.append(f"{title}. {text}")
            topics.append(number)
    return texts, np.asarray(topics, dtype=np.int64)


def sample_vectors(
    encoder: Encoder, work: Path, *, per_topic: int, seed: int = 7
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Real embeddings of :func:`sample_texts` and their topics; kept in ``work`` as ``.npz``
    under a name that depends on the texts, the model and the encoder, so later runs reuse it."""
    texts, topics = sample_texts(per_topic, seed=seed)
    key = hashlib.sha256(
        "\n".join([encoder.model_id, encoder.encoder_name, *texts]).encode()
    ).hexdigest()[:16]
    path = work / f"sample-{len(texts)}-{key}.npz"
    if path.exists():
        with np.load(path) as stored:
            return stored["vectors"].astype(np.float32), topics
    vectors = encoder.encode(texts)
    work.mkdir(parents=True, exist_ok=True)
    np.savez(path, vectors=vectors)
    return vectors, topics


def perturbed(
    vectors: npt.NDArray[np.float32], rng: np.random.Generator, noise: float
) -> npt.NDArray[np.float32]:
    """Each row moved by Gaussian noise of norm ``noise``, then renormalised to unit length."""
    moves = rng.normal(size=vectors.shape)
    moves *= noise / np.linalg.norm(moves, axis=1, keepdims=True)
    moved = vectors.astype(np.float64) + moves
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return moved.astype(np.float32)


def region_vectors(
    chunk_topics: npt.NDArray[np.int64],
    sample: npt.NDArray[np.float32],
    sample_topics: npt.NDArray[np.int64],
    *,
    seed: int,
    noise: float = 0.25,
) -> npt.NDArray[np.float32]:
    """One vector per chunk: a random mix of two sample vectors of its topic plus noise."""
    rng = np.random.default_rng(seed)
    by_topic = [np.flatnonzero(sample_topics == t) for t in range(int(sample_topics.max()) + 1)]
    first = np.empty(chunk_topics.size, np.int64)
    second = np.empty(chunk_topics.size, np.int64)
    for topic, members in enumerate(by_topic):
        mine = np.flatnonzero(chunk_topics == topic)
        if mine.size and members.size:
            first[mine] = members[rng.integers(members.size, size=mine.size)]
            second[mine] = members[rng.integers(members.size, size=mine.size)]
        elif mine.size:
            raise ValueError(f"the sample has no text of topic {topic}")
    weight = rng.random(chunk_topics.size)[:, None]
    mixed = weight * sample[first] + (1 - weight) * sample[second]
    return perturbed(mixed.astype(np.float32), rng, noise)


def cache_region_vectors(
    catalogue: Catalogue,
    model_id: str,
    item_topics: Mapping[str, int],
    sample: npt.NDArray[np.float32],
    sample_topics: npt.NDArray[np.int64],
    *,
    seed: int,
    noise: float = 0.25,
    batch: int = 20_000,
) -> int:
    """Store a made vector for every chunk of the catalogue that has no cached one yet, under
    the chunk's text hash, in the real embedding cache; returns how many were stored."""
    rows = catalogue.chunk_rows()
    have = catalogue.cached_vectors(model_id, [r.text_hash for r in rows])
    todo: dict[str, int] = {}
    for row in rows:
        if row.text_hash not in have and row.text_hash not in todo:
            todo[row.text_hash] = item_topics[row.item_id]
    hashes = list(todo)
    topics = np.fromiter(todo.values(), np.int64, len(todo))
    # made and stored a batch at a time, so a million vectors never sit in memory as float64
    for number, start in enumerate(range(0, len(hashes), batch)):
        part = hashes[start : start + batch]
        vectors = region_vectors(
            topics[start : start + batch], sample, sample_topics, seed=seed + number, noise=noise
        )
        catalogue.cache_vectors(model_id, dict(zip(part, vectors, strict=True)))
    return len(hashes)


def briefs(n: int, *, seed: int = 99) -> list[str]:
    """``n`` varied briefs (needs and challenges, title only or title and text) of every domain
    topic, from a seed that no profile uses."""
    g = demo()
    w = g.Writer(seed * PROFILE_STRIDE - 2)
    domain = [t for t in g.TOPICS if not t.method]
    texts: list[str] = []
    while len(texts) < n:
        t = w.rng.choice(domain)
        if w.chance(0.6):
            title, text = w.need(t, w.rng.randrange(len(t.needs)), t.specialties[0], "", "our site")
        else:
            title, text = w.challenge(t, "Our company", w.pick(t.products), w.rng.randint(2, 9))
        texts.append(title if w.chance(0.3) else f"{title}. {text}")
    return texts
