"""The learned re-ranker on an index version: its features from the index, its training on the
pool's own structure, and where the trained model is kept (issue 18).

Features (:func:`matcher.rerank.features`) are computed from what the fast path already has:
the candidates' item similarities (vectors of the index), plus BM25 over the pool's item texts
and the items' years (read once per index version). Training needs no ratings: an item of the
pool is held out and used as a brief — whole, its title only, or its first sentence — its own
profile is the positive and the other candidates of its kind (the closest by the fast score) the
negatives (:func:`pseudo_briefs`). The model is saved beside the index version it was trained on
(``reranker.joblib``) and recorded in that version's manifest (``reranker``); without one, the
ranking profiles are unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.db.catalogue import Catalogue
from index.db.feedback import FeedbackLabel
from index.encoders.base import Encoder
from index.vectors.manifest import MANIFEST_NAME, Manifest
from index.vectors.store import IndexSnapshot
from matcher.model import Aggregation
from matcher.ranking import AggregationConfig, ItemScores, score_items, score_profiles
from matcher.rerank import FEATURES, CandidateItems, ModelKind, Reranker, features, top_sentence

logger = logging.getLogger(__name__)

MODEL_FILE = "reranker.joblib"
#: Candidates per pseudo-brief in training (its own profile and the closest others).
TRAIN_CANDIDATES = 50
#: Pseudo-briefs (held-out items) sampled per training run; each gives three brief shapes.
TRAIN_ITEMS = 600
#: A label's candidates come from the profiles of this many of its brief's nearest chunks.
LABEL_CHUNKS = 2000
#: Users' labels are used only when there are at least this many (of the index's model) …
MIN_FEEDBACK_LABELS = 50
#: … from at least this many distinct briefs (fewer would teach the model a few briefs' quirks).
MIN_FEEDBACK_BRIEFS = 10
#: The share of the whole training weight the users' labels carry together when used (each
#: label the same); the pool's pseudo-briefs carry the rest.
FEEDBACK_SHARE = 1 / 3

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    # imported on first use: loading scikit-learn is slow, and only a trained model needs it
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def terms(text: str) -> frozenset[str]:
    """The content words of ``text`` (lower-cased, English stop words left out)."""
    stop = _stop_words()
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in stop)


class LexicalPool:
    """Item texts, years, term sets and a BM25 index of one index version."""

    def __init__(self, snap: IndexSnapshot, catalogue: Catalogue) -> None:
        self.key = (snap.path, snap.manifest.version, snap.size, len(snap.profiles))
        profile_ids = [snap.profiles[int(p)].id for p in snap.item_profiles]
        found = catalogue.evidence_items(snap.item_ids, sorted(set(profile_ids)))
        items = [found.get((p, i)) for p, i in zip(profile_ids, snap.item_ids, strict=True)]
        self.texts = [item.content if item is not None else "" for item in items]
        self.titles = [item.title if item is not None else "" for item in items]
        self.years = np.array(
            [np.nan if item is None or item.year is None else float(item.year) for item in items]
        )

    @cached_property
    def terms(self) -> list[frozenset[str]]:
        """Each item's content words."""
        return [terms(t) for t in self.texts]

    @cached_property
    def bm25(self) -> Any:
        """A BM25 index (``bm25s``) over the pool's items."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        index = bm25s.BM25()
        index.index(
            bm25s.tokenize(self.texts or [""], stopwords="en", show_progress=False),
            show_progress=False,
        )
        return index

    def bm25_scores(self, text: str) -> npt.NDArray[np.float64]:
        """The BM25 score of every item of the pool for ``text``."""
        import bm25s

        tokens = bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]
        if not tokens or not self.texts:
            return np.zeros(len(self.texts))
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """Feature rows of one brief's candidates (profiles ascending, those with items)."""

    profiles: npt.NDArray[np.int64]
    rows: npt.NDArray[np.float64]


def candidate_features(
    snap: IndexSnapshot,
    lexicon: LexicalPool,
    text: str,
    query: npt.NDArray[np.float32],
    profiles: npt.NDArray[np.int64],
    *,
    leave_out: int | None = None,
    year: int | None = None,
    lexical: npt.NDArray[np.float64] | None = None,
) -> CandidateFeatures:
    """The re-ranker's features of ``profiles`` for one brief (``leave_out``: an item not
    counted, the held-out item of a pseudo-brief; ``lexical``: precomputed BM25 of the brief
    over the pool)."""
    profiles = np.unique(profiles).astype(np.int64)
    rows = snap.rows_for_profiles(profiles)
    found = score_items(
        np.asarray(snap.vectors[rows] @ query, np.float32), snap.row_items[rows].astype(np.int64)
    )
    keep = found.items != (-1 if leave_out is None else leave_out)
    items, sims = found.items[keep], found.scores[keep]
    owner_profiles = snap.item_profiles[items]
    present = np.unique(owner_profiles)
    owners = np.searchsorted(present, owner_profiles).astype(np.int64)
    lex = lexicon.bm25_scores(text) if lexical is None else lexical
    brief_terms = terms(text)
    shared = np.zeros(present.size)
    if items.size:
        order = np.lexsort((-sims, owners))
        firsts = order[np.r_[True, owners[order][1:] != owners[order][:-1]]]
        for item_position in firsts:
            shared[owners[item_position]] = len(
                brief_terms & lexicon.terms[int(items[item_position])]
            )
    pool = CandidateItems(
        owners=owners,
        similarities=sims.astype(np.float64),
        lexical=lex[items],
        years=lexicon.years[items],
        shared_terms=shared,
        kinds=snap.kind_codes[present].astype(np.float64),
        brief_terms=len(brief_terms),
        year=year if year is not None else time.gmtime().tm_year,
    )
    return CandidateFeatures(present.astype(np.int64), features(pool))


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Feature rows with labels and the pseudo-brief each row belongs to."""

    rows: npt.NDArray[np.float64]
    labels: npt.NDArray[np.int64]
    groups: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    shapes: dict[str, int]


def _closest(
    snap: IndexSnapshot,
    query: npt.NDArray[np.float32],
    own: int,
    leave_out: int,
    eligible: npt.NDArray[np.int64],
    candidates: int,
) -> npt.NDArray[np.int64]:
    """The own profile and the closest other eligible profiles of its kind (mean of 3)."""
    same_kind = eligible[snap.kind_codes[eligible] == snap.kind_codes[own]]
    rows = snap.rows_for_profiles(same_kind)
    found = score_items(
        np.asarray(snap.vectors[rows] @ query, np.float32), snap.row_items[rows].astype(np.int64)
    )
    keep = found.items != leave_out
    scored = score_profiles(
        ItemScores(found.items[keep], found.scores[keep]),
        snap.item_profiles,
        AggregationConfig(Aggregation.TOP_K_MEAN, 3),
    )
    others = scored.profiles != own
    best = scored.profiles[others][np.argsort(-scored.scores[others])[: candidates - 1]]
    return np.union1d(best, [own]).astype(np.int64)


def pseudo_briefs(
    snap: IndexSnapshot,
    lexicon: LexicalPool,
    encoder: Encoder,
    *,
    items: int = TRAIN_ITEMS,
    candidates: int = TRAIN_CANDIDATES,
    eligible: npt.NDArray[np.int64] | None = None,
    seed: int = 0,
    year: int | None = None,
) -> TrainingSet:
    """Training rows from the pool itself (see the module docstring).

    Args:
        items: held-out items sampled (of profiles with at least two items among ``eligible``).
        candidates: candidates per pseudo-brief.
        eligible: the profiles that may be positives or negatives (default: all); evaluation
            passes the training folds' researchers.
        seed: the sampling seed.
    """
    everyone = np.arange(len(snap.profiles), dtype=np.int64)
    allowed = everyone if eligible is None else np.unique(eligible).astype(np.int64)
    counts = np.bincount(snap.item_profiles, minlength=len(snap.profiles))
    usable = np.flatnonzero(
        np.isin(snap.item_profiles, allowed[counts[allowed] >= 2])
        & np.array([bool(t.strip()) for t in lexicon.texts])
    )
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.permutation(usable)[: min(items, usable.size)])
    first_row = np.full(len(lexicon.texts), -1, np.int64)
    first_row[snap.row_items[::-1]] = np.arange(snap.row_items.size)[::-1]
    shapes: list[tuple[str, int, str]] = []
    for item in chosen:
        text, title = lexicon.texts[int(item)], lexicon.titles[int(item)]
        shapes.append(("whole", int(item), text))
        if title and title != text:
            shapes.append(("title", int(item), title))
        sentence = top_sentence(text.removeprefix(f"{title}. ") if title else text)
        if sentence and sentence not in (text, title):
            shapes.append(("sentence", int(item), sentence))
    to_encode = [s for s in shapes if s[0] != "whole"]
    encoded = encoder.encode([t for _, _, t in to_encode]) if to_encode else np.empty((0, 0))
    vectors = iter(encoded)
    rows, labels, groups, weights = [], [], [], []
    seen: dict[str, int] = {}
    for group, (shape, item, text) in enumerate(shapes):
        query = (
            np.asarray(snap.vectors[first_row[item]], np.float32)
            if shape == "whole"
            else np.asarray(next(vectors), np.float32)
        )
        own = int(snap.item_profiles[item])
        wanted = _closest(snap, query, own, item, allowed, candidates)
        found = candidate_features(snap, lexicon, text, query, wanted, leave_out=item, year=year)
        if found.profiles.size < 2 or own not in found.profiles:
            continue
        seen[shape] = seen.get(shape, 0) + 1
        rows.append(found.rows)
        labels.append((found.profiles == own).astype(np.int64))
        groups.append(np.full(found.profiles.size, group, np.int64))
        # each brief weighs the same, whatever its number of candidates; positives as much
        # as all of a brief's negatives together
        n = found.profiles.size
        weights.append(np.where(found.profiles == own, 1.0, 1.0 / max(n - 1, 1)))
    if not rows:
        raise ValueError("the pool has no profile with two items to learn from")
    return TrainingSet(
        np.vstack(rows),
        np.concatenate(labels),
        np.concatenate(groups),
        np.concatenate(weights),
        seen,
    )


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """A trained re-ranker and what the manifest records of it."""

    reranker: Reranker
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedbackRows:
    """Users' labels as training rows, or why they are not used.

    Attributes:
        rows: feature rows (one per usable label).
        labels: 1 for relevant, 0 for not.
        briefs: distinct briefs among them.
        used: whether they reach the threshold (:data:`MIN_FEEDBACK_LABELS` from
            :data:`MIN_FEEDBACK_BRIEFS` briefs).
        skipped: labels of another model or another feature list, left out.
        message: what ``matcher learn`` says about them.
    """

    rows: npt.NDArray[np.float64]
    labels: npt.NDArray[np.int64]
    briefs: int
    used: bool
    skipped: int
    message: str


def feedback_rows(labels: Sequence[FeedbackLabel], *, model_id: str) -> FeedbackRows:
    """The usable labels among ``labels`` (those of ``model_id`` whose stored features are the
    re-ranker's :data:`~matcher.rerank.FEATURES`) and whether there are enough of them."""
    usable = [
        label
        for label in labels
        if label.model_id == model_id and all(name in label.features for name in FEATURES)
    ]
    rows = np.array([[label.features[n] for n in FEATURES] for label in usable], np.float64)
    marks = np.array([int(label.relevant) for label in usable], np.int64)
    briefs = len({label.brief_ref for label in usable})
    used = len(usable) >= MIN_FEEDBACK_LABELS and briefs >= MIN_FEEDBACK_BRIEFS
    said = f"{len(usable)} feedback labels from {briefs} briefs"
    if used:
        message = f"{said}: used beside the pool ({FEEDBACK_SHARE:.0%} of the training weight)"
    else:
        message = (
            f"{said}: below the threshold ({MIN_FEEDBACK_LABELS} labels from "
            f"{MIN_FEEDBACK_BRIEFS} briefs); trained on the pool only"
        )
    return FeedbackRows(
        rows.reshape(len(usable), len(FEATURES)),
        marks,
        briefs,
        used,
        len(labels) - len(usable),
        message,
    )


def label_features(
    snap: IndexSnapshot,
    lexicon: LexicalPool,
    text: str,
    query: npt.NDArray[np.float32],
    profile: int,
    *,
    candidates: int = TRAIN_CANDIDATES,
    year: int | None = None,
) -> dict[str, float]:
    """The re-ranker's features of one profile (its index in ``snap``) for a brief, among the
    same candidates training gives a pseudo-brief (it and the closest others of its kind), by
    feature name: what a label keeps, so that its brief's text need not be. The closest others
    are looked for among the profiles of the brief's :data:`LABEL_CHUNKS` nearest chunks of that
    kind (one index search, as on the search path), not by scoring every vector of the kind."""
    nearest = snap.nearest(np.asarray(query, np.float32)[None, :], LABEL_CHUNKS)[0]
    rows, _ = nearest.of_kind(LABEL_CHUNKS, int(snap.kind_codes[profile]))
    eligible = np.union1d(snap.row_profiles[rows], [profile]).astype(np.int64)
    wanted = _closest(snap, query, profile, -1, eligible, candidates)
    found = candidate_features(snap, lexicon, text, query, wanted, year=year)
    at = np.flatnonzero(found.profiles == profile)
    if at.size == 0:
        raise ValueError(f"profile {snap.profiles[profile].id!r} has no item in the index")
    return {name: float(v) for name, v in zip(FEATURES, found.rows[int(at[0])], strict=True)}


def train(
    snap: IndexSnapshot,
    catalogue: Catalogue,
    encoder: Encoder,
    *,
    kind: ModelKind = "logistic",
    items: int = TRAIN_ITEMS,
    seed: int = 0,
    feedback: FeedbackRows | None = None,
) -> LearnedModel:
    """Train on the pool's pseudo-briefs, and on users' labels when ``feedback`` reaches the
    threshold: together they then weigh :data:`FEEDBACK_SHARE` of the whole, each label alike."""
    started = time.monotonic()
    lexicon = LexicalPool(snap, catalogue)
    data = pseudo_briefs(snap, lexicon, encoder, items=items, seed=seed)
    rows, labels, weights = data.rows, data.labels, data.weights
    used = feedback is not None and feedback.used and feedback.rows.shape[0] > 0
    if feedback is not None and used:
        total = float(weights.sum()) * FEEDBACK_SHARE / (1 - FEEDBACK_SHARE)
        rows = np.vstack([rows, feedback.rows])
        labels = np.concatenate([labels, feedback.labels])
        each = total / feedback.rows.shape[0]
        weights = np.concatenate([weights, np.full(feedback.rows.shape[0], each)])
    reranker = Reranker(kind, seed=seed).fit(rows, labels, weights=weights)
    record = {
        "file": MODEL_FILE,
        "kind": kind,
        "features": list(reranker.features),
        "pseudo_briefs": data.shapes,
        "feedback_rows": int(feedback.rows.shape[0]) if feedback is not None and used else 0,
        "feedback_briefs": feedback.briefs if feedback is not None and used else 0,
        "feedback_share": FEEDBACK_SHARE if used else 0.0,
        "rows": int(rows.shape[0]),
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return LearnedModel(reranker, record)


def save(directory: Path, learned: LearnedModel) -> Manifest:
    """Write the model beside the index version in ``directory`` and record it (with the file's
    SHA-256) in that version's manifest; returns the new manifest."""
    data = learned.reranker.dumps()
    (directory / f".{MODEL_FILE}.tmp").write_bytes(data)
    (directory / f".{MODEL_FILE}.tmp").replace(directory / MODEL_FILE)
    manifest = replace(
        Manifest.read(directory),
        reranker={**learned.record, "sha256": hashlib.sha256(data).hexdigest()},
    )
    manifest.write(directory)
    return manifest


class RerankerCache:
    """The trained model of the loaded index version, read once per version (``None`` when the
    version has none, or its file does not match the manifest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: object = None
        self._model: Reranker | None = None
        self._lexicon: LexicalPool | None = None

    def model(self, snap: IndexSnapshot) -> Reranker | None:
        """The version's re-ranker, if it has one. Its manifest is read from disk (and again
        when the file changes): ``matcher learn`` records a model in a version another process
        may already serve."""
        if snap.path is None:
            return None
        path = Path(snap.path)
        try:
            stamp = (path / MANIFEST_NAME).stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            key = (path, stamp)
            if key != self._key:
                self._key, self._model = key, _load(path)
            return self._model

    def lexicon(self, snap: IndexSnapshot, catalogue: Catalogue) -> LexicalPool:
        """The version's texts and BM25 index (built on first use)."""
        with self._lock:
            if self._lexicon is None or self._lexicon.key[:2] != (snap.path, snap.manifest.version):
                self._lexicon = LexicalPool(snap, catalogue)
            return self._lexicon


def _load(directory: Path) -> Reranker | None:
    try:
        manifest = Manifest.read(directory)
    except ValueError as error:
        logger.warning("%s", error)
        return None
    record = manifest.reranker
    if not record:
        return None
    path = directory / str(record.get("file", MODEL_FILE))
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            logger.warning("%s does not match the manifest; re-ranker off", path)
            return None
        return Reranker.loads(data)
    except (OSError, ValueError) as error:
        logger.warning("re-ranker of index version %s not used: %s", manifest.version, error)
        return None


def feature_names() -> Sequence[str]:
    """The features' names, in column order."""
    from matcher.rerank import FEATURES

    return FEATURES
