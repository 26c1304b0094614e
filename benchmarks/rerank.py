"""Measure the issue-18 candidates on both tasks, beside today's fast and thorough profiles.

    python -m benchmarks.rerank --benchmark ../shared/benchmarks/goldstandard-dev \\
        --out docs/quality.md [--json rerank.json] [--no-profile-text]

Writes the section ``quality-rerank`` of ``--out``. Candidates, each scored for every brief
against every researcher through the product's code on the scratch containers the product's
evaluation builds (gold standard: every version; authorship: the first version's pool with each
eligible researcher's held-out paper removed, as ``matcher eval authorship``):

- ``fast`` (today): mean of the 3 closest items; ``max``: the closest item;
- ``thorough`` (today): the product's ``ThoroughScorer`` (items 0.8 + TF-IDF 0.2);
- ``prf``: pseudo-relevance feedback, the brief's vector moved toward its 3 closest chunks in
  the pool (q + 0.5 × their mean, renormalised, fixed before measuring), then mean of 3;
- ``profile text``: per brief and researcher, the 3 closest items' texts joined and embedded
  again, cosine to the brief (thorough-only candidate: an extra model call per candidate);
- ``rerank logistic`` / ``rerank boosting``: the learned re-ranker (:mod:`matcher.rerank`),
  cross-validated by researcher folds: for each of 5 folds (fold seed 0) a model is trained on
  pseudo-briefs (:func:`service.search.rerank.pseudo_briefs`) whose positives and negatives are
  only the other folds' researchers — their archives, never a rating — and scores the fold's
  researchers. Gold standard: trained on the first version's archives; authorship: on the
  authorship pool (held-out papers removed).

Intervals: 2,000 bootstrap resamples over researchers, seed 7, paired for the differences
(:func:`matcher.evaluation.bootstrap_loss`, :func:`matcher.evaluation.bootstrap_authorship`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.common import commit, machine, now, write_section
from benchmarks.quality import _fill
from index.vectors.store import IndexSnapshot
from matcher.briefs import make_brief
from matcher.errors import MatcherError
from matcher.evaluation import (
    Ratings,
    author_rank,
    authorship_metrics,
    bootstrap_authorship,
    bootstrap_loss,
    researcher_costs,
)
from matcher.fusion import researcher_folds
from matcher.rerank import FEATURES, Reranker
from service.container import Container, make_encoder
from service.evaluation.archive import (
    archive_path,
    paper_text,
    read_json_lines,
    read_ratings,
    read_submissions,
    version_dirs,
)
from service.evaluation.authorship import (
    DEFAULT_MIN_PAPERS,
    DEFAULT_SEED,
    _fill_pool,
    copies,
    hold_out,
)
from service.evaluation.scratch import scratch_container
from service.search.rerank import LexicalPool, candidate_features, pseudo_briefs
from service.search.thorough import ThoroughScorer
from service.settings import Settings

PRF_WEIGHT = 0.5
PRF_CHUNKS = 3
#: The fixed reference year of the benchmark runs (the archives' ages do not drift with the date).
YEAR = 2023
FOLDS = 5
BASELINES = ("fast", "thorough")

Scores = dict[str, dict[str, float]]  # researcher → brief id → score
Vector = npt.NDArray[np.float32]


def _brief(record: Mapping[str, Any]) -> str | None:
    title, abstract = paper_text(record)
    try:
        return make_brief(f"{title}. {abstract}" if abstract else title).text
    except MatcherError:
        return None


class Scoring:
    """Every candidate's scores of one brief against every profile of a snapshot."""

    def __init__(self, container: Container, snap: IndexSnapshot, profile_text: bool) -> None:
        self.container = container
        self.snap = snap
        self.lexicon = LexicalPool(snap, container.catalogue)
        self.thorough = ThoroughScorer(container.catalogue, container.encoder)
        self.everyone = np.arange(len(snap.profiles), dtype=np.int64)
        self.profile_text = profile_text
        self.text_vectors: dict[str, Vector] = {}
        self.seconds: dict[str, float] = {}

    def _timed(self, name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        return result

    def score(
        self, text: str, query: Vector, models: Mapping[str, Reranker]
    ) -> dict[str, dict[int, float]]:
        """Candidate → profile index → score; ``models``: re-ranker name → model."""
        snap = self.snap
        found = self._timed(
            "features",
            lambda: candidate_features(snap, self.lexicon, text, query, self.everyone, year=YEAR),
        )
        profiles = [int(p) for p in found.profiles]
        column = {n: i for i, n in enumerate(FEATURES)}
        out: dict[str, dict[int, float]] = {
            "fast": dict(zip(profiles, found.rows[:, column["sim_mean3"]], strict=True)),
            "max": dict(zip(profiles, found.rows[:, column["sim_1"]], strict=True)),
        }
        for name, model in models.items():
            values = self._timed(name, lambda m=model: m.score(found.rows))  # type: ignore[misc]
            out[name] = dict(zip(profiles, values, strict=True))
        fused = self._timed(
            "thorough", lambda: self.thorough.score(snap, text, query, self.everyone)
        )
        out["thorough"] = {
            int(p): float(s) for p, s in zip(fused.profiles, fused.scores, strict=True)
        }
        out["prf"] = self._timed("prf", lambda: self._prf(text, query))
        if self.profile_text:
            out["profile text"] = self._timed("profile text", lambda: self._profile_text(query))
        return out

    def _prf(self, text: str, query: Vector) -> dict[int, float]:
        sims = self.snap.vectors @ query
        top = np.argsort(-sims)[:PRF_CHUNKS]
        moved = query + PRF_WEIGHT * self.snap.vectors[top].mean(axis=0)
        moved = (moved / np.linalg.norm(moved)).astype(np.float32)
        found = candidate_features(
            self.snap, self.lexicon, text, moved, self.everyone, year=YEAR, lexical=None
        )
        mean3 = found.rows[:, FEATURES.index("sim_mean3")]
        return {int(p): float(s) for p, s in zip(found.profiles, mean3, strict=True)}

    def _profile_text(self, query: Vector) -> dict[int, float]:
        snap = self.snap
        sims = snap.vectors @ query
        texts: dict[int, str] = {}
        for p in self.everyone:
            rows = snap.rows_for_profiles(np.array([p], np.int64))
            best: list[int] = []
            for r in rows[np.argsort(-sims[rows])]:
                if int(snap.row_items[r]) not in best:
                    best.append(int(snap.row_items[r]))
                if len(best) == 3:
                    break
            texts[int(p)] = " ".join(self.lexicon.texts[i] for i in best)
        missing = sorted({t for t in texts.values() if t not in self.text_vectors})
        if missing:
            for t, v in zip(missing, self.container.encoder.encode(missing), strict=True):
                self.text_vectors[t] = v
        return {p: float(self.text_vectors[t] @ query) for p, t in texts.items()}


class _CachedEncoder:
    """The run's encoder with its answers kept: the folds' pseudo-briefs share their texts."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        self.vectors: dict[str, Vector] = {}

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            for text, vector in zip(missing, self.encoder.encode(missing), strict=True):
                self.vectors[text] = vector
        return np.array([self.vectors[t] for t in texts], dtype=np.float32)


_CACHE: dict[int, _CachedEncoder] = {}


def _train(
    container: Container,
    snap: IndexSnapshot,
    researchers: Mapping[str, str],
    fold: Sequence[str],
    seed: int,
) -> dict[str, Reranker]:
    """Both model kinds trained on pseudo-briefs of the researchers outside ``fold``."""
    eligible = np.array(
        [snap.profile_index[p] for r, p in researchers.items() if r not in fold], np.int64
    )
    lexicon = LexicalPool(snap, container.catalogue)
    cached = _CACHE.setdefault(id(container.encoder), _CachedEncoder(container.encoder))
    data = pseudo_briefs(snap, lexicon, cached, eligible=eligible, seed=seed, year=YEAR)  # type: ignore[arg-type]
    return {
        f"rerank {kind}": Reranker(kind).fit(data.rows, data.labels, weights=data.weights)
        for kind in ("logistic", "boosting")
    }


def goldstandard(
    container: Container,
    directory: Path,
    ratings: Ratings,
    folds: list[list[str]],
    *,
    profile_text: bool,
    log: Callable[[str], None],
    versions: int | None = None,
) -> dict[str, list[dict[str, tuple[float, float]]]]:
    """Candidate → per version, the researchers' (cost, weight)."""
    fold_of = {r: i for i, fold in enumerate(folds) for r in fold}
    vectors: dict[str, Vector] = {}
    costs: dict[str, list[dict[str, tuple[float, float]]]] = {}
    models: list[dict[str, Reranker]] = []
    for v, version in enumerate(version_dirs(directory)[:versions]):
        wanted = _fill(container, version, ratings)
        snap = container.engine.snapshot()
        if v == 0:
            models = [_train(container, snap, wanted, fold, seed=f) for f, fold in enumerate(folds)]
            log(f"trained {len(models)} folds")
        scoring = Scoring(container, snap, profile_text)
        submissions = read_submissions(version)
        scores: dict[str, Scores] = {}
        for researcher, profile_id in wanted.items():
            index = snap.profile_index[profile_id]
            for paper in (p for p in ratings[researcher] if p in submissions):
                text = _brief(submissions[paper])
                if text is None:
                    continue
                if text not in vectors:
                    vectors[text] = container.engine.encode_briefs([text])[0]
                found = scoring.score(text, vectors[text], models[fold_of[researcher]])
                for name, values in found.items():
                    scores.setdefault(name, {}).setdefault(researcher, {})[paper] = values[index]
        for name, table in scores.items():
            costs.setdefault(name, []).append(researcher_costs(ratings, table))
        log(f"{version.name}: {', '.join(f'{k} {s:.0f}s' for k, s in scoring.seconds.items())}")
    return costs


def authorship(
    container: Container,
    directory: Path,
    folds: list[list[str]],
    *,
    profile_text: bool,
    log: Callable[[str], None],
) -> dict[str, dict[str, int]]:
    """Candidate → researcher → rank of the held-out paper's author."""
    version = version_dirs(directory)[0]
    archives = {}
    for researcher in sorted(read_ratings(directory)):
        path = archive_path(version, researcher)
        if path.is_file():
            archives[researcher] = read_json_lines(path)
    held = hold_out(archives, min_papers=DEFAULT_MIN_PAPERS, seed=DEFAULT_SEED)
    held_copies = copies(archives, held)
    authors = {paper: {r for r, _ in found} for paper, found in held_copies.items()}
    _fill_pool(container, archives, held_copies)
    snap = container.engine.snapshot()
    researchers = {p.id.removeprefix("gs-"): p.id for p in snap.profiles}
    fold_of = {r: i for i, fold in enumerate(folds) for r in fold}
    models = [_train(container, snap, researchers, fold, seed=f) for f, fold in enumerate(folds)]
    scoring = Scoring(container, snap, profile_text)
    ranks: dict[str, dict[str, int]] = {}
    for researcher, record in held.items():
        text = _brief(record)
        if text is None:
            continue
        query = container.engine.encode_briefs([text])[0]
        found = scoring.score(text, query, models[fold_of[researcher]])
        for name, values in found.items():
            named = {snap.profiles[p].id.removeprefix("gs-"): s for p, s in values.items()}
            ranks.setdefault(name, {})[researcher] = author_rank(
                named, authors[str(record.get("id"))]
            )
    log(f"authorship: {', '.join(f'{k} {s:.1f}s' for k, s in scoring.seconds.items())}")
    return ranks


def _loss(table: list[dict[str, tuple[float, float]]]) -> float:
    per = [sum(c for c, _ in v.values()) / sum(w for _, w in v.values()) for v in table]
    return float(np.mean(per))


def table(
    costs: Mapping[str, list[dict[str, tuple[float, float]]]],
    ranks: Mapping[str, dict[str, int]],
) -> tuple[str, dict[str, Any]]:
    """The Markdown table and its figures."""
    head = (
        "| candidate | gold-standard loss [95% CI] | − fast [paired CI] | − thorough [paired CI] "
        "| authorship MRR [95% CI] | − fast [paired CI] | − thorough [paired CI] | hits@1 |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    figures: dict[str, Any] = {}

    def ci(low: float, high: float, digits: int) -> str:
        return f"[{low:+.{digits}f}, {high:+.{digits}f}]"

    for name in costs:
        loss = bootstrap_loss(costs[name], samples=2_000, seed=7)
        diffs = {
            b: bootstrap_loss(costs[name], other=costs[b], samples=2_000, seed=7) for b in BASELINES
        }
        m = authorship_metrics(ranks[name])
        mrr = bootstrap_authorship(ranks[name], samples=2_000, seed=7)["mrr"]
        mdiff = {
            b: bootstrap_authorship(ranks[name], other=ranks[b], samples=2_000, seed=7)["mrr"]
            for b in BASELINES
        }
        figures[name] = {
            "loss": _loss(costs[name]),
            "loss_ci": [loss.low, loss.high],
            "loss_diff": {b: [d.value, d.low, d.high] for b, d in diffs.items()},
            "mrr": m.mrr,
            "mrr_ci": [mrr.low, mrr.high],
            "mrr_diff": {b: [d.value, d.low, d.high] for b, d in mdiff.items()},
            "hits_at_1": m.hits_at_1,
        }
        lines.append(
            f"| {name} | {_loss(costs[name]):.4f} [{loss.low:.3f}, {loss.high:.3f}] "
            + "".join(
                f"| {diffs[b].value:+.4f} {ci(diffs[b].low, diffs[b].high, 3)} " for b in BASELINES
            )
            + f"| {m.mrr:.3f} [{mrr.low:.2f}, {mrr.high:.2f}] "
            + "".join(
                f"| {mdiff[b].value:+.3f} {ci(mdiff[b].low, mdiff[b].high, 2)} " for b in BASELINES
            )
            + f"| {m.hits_at_1:.3f} |"
        )
    return "\n".join(lines), figures


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every candidate and write the section; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rerank", description=__doc__)
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/quality.md"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-profile-text", action="store_true")
    parser.add_argument("--versions", type=int, help="only the first N versions (a smoke run)")
    args = parser.parse_args(argv)
    shown = list(argv if argv is not None else sys.argv[1:])
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    settings = Settings()
    encoder = make_encoder(settings.model_copy(update={"adapted_model": "off"}))
    ratings = read_ratings(args.benchmark)
    folds = researcher_folds(sorted(ratings), folds=min(FOLDS, len(ratings)), seed=0)
    with scratch_container(settings, encoder, prefix="ke-matcher-rerank-a-") as container:
        ranks = authorship(
            container, args.benchmark, folds, profile_text=not args.no_profile_text, log=log
        )
    if args.json is not None:  # the authorship ranks first, in case the rest is stopped
        args.json.write_text(json.dumps({"ranks": ranks}, indent=1))
    with scratch_container(settings, encoder, prefix="ke-matcher-rerank-g-") as container:
        costs = goldstandard(
            container,
            args.benchmark,
            ratings,
            folds,
            profile_text=not args.no_profile_text,
            log=log,
            versions=args.versions,
        )
    body, figures = table(costs, ranks)
    stamp = (
        f"Command: `python -m benchmarks.rerank {' '.join(shown)}` — commit {commit()}, "
        f"{now()}, {time.monotonic() - started:.0f} s on {machine()}."
    )
    write_section(args.out, "quality-rerank", f"{body}\n\n{stamp}")
    if args.json is not None:
        args.json.write_text(json.dumps({"figures": figures, "ranks": ranks}, indent=1))
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
