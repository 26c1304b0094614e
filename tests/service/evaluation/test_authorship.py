"""The authorship task on tiny made-up archives written to tmp_path (never the real benchmark)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matcher.evaluation import same_paper
from service.evaluation.archive import paper_text
from service.evaluation.authorship import copies, hold_out, pool_archives, run_authorship
from service.settings import Settings
from tests.fakes import FakeEncoder

Archives = dict[str, list[dict[str, Any]]]


def paper(paper_id: str, title: str, abstract: str) -> dict[str, Any]:
    return {"id": paper_id, "content": {"title": title, "abstract": abstract}}


def write_benchmark(directory: Path, archives: Archives) -> Path:
    """A benchmark folder in the gold standard's format: one version, no rated papers needed."""
    version = directory / "d_1_1"
    (version / "archives").mkdir(parents=True)
    (version / "submissions.json").write_text("{}", encoding="utf-8")
    header = "\t".join(["ParticipantID", *(f"Paper{i}" for i in range(1, 11))])
    header += "\t" + "\t".join(f"Expertise{i}" for i in range(1, 11))
    rows = [header, *(r + "\t" * 20 for r in archives)]
    (directory / "evaluations.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for researcher, papers in archives.items():
        lines = "\n".join(json.dumps(p) for p in papers)
        (version / "archives" / f"~{researcher}.jsonl").write_text(lines, encoding="utf-8")
    return directory


GAIT = (
    "Wearable inertial sensors record gait in older adults at home, and a model of stride "
    "variability predicts who will fall within six months of discharge from hospital."
)


def versioned_archives() -> Archives:
    """Researcher "a": six papers, three pairs of versions of one paper, so that whichever is
    held out has a copy under another id; "b" holds one of them too, under the first id."""
    return {
        "a": [
            paper("a1", "Gait sensors predict falls", GAIT),
            # the same paper re-posted: same title, reworded abstract
            paper("a2", "Gait  sensors predict FALLS", "A shorter abstract about stride."),
            paper("a3", "Retinal photographs grade diabetes", "Deep networks grade retinopathy."),
            # same abstract up to case and white space, new title
            paper(
                "a4", "Grading retinopathy from photographs", "deep networks  grade Retinopathy."
            ),
            paper("a5", "Stewardship rounds cut antibiotic use", GAIT.replace("gait", "walking")),
            # a second version: a word and an accent changed (Jaccard of shingles above 0.8)
            paper("a6", "Antibiotic rounds, a trial", GAIT.replace("gait", "walking") + " Café."),
        ],
        "b": [paper("a1", "Gait sensors predict falls", GAIT), paper("b1", "Sepsis", "Lactate.")],
    }


def test_held_out_text_is_absent_from_the_pool() -> None:
    archives = versioned_archives()
    held = hold_out(archives, min_papers=5, seed=0)
    assert list(held) == ["a"]
    found = copies(archives, held)
    pool = pool_archives(archives, found)
    for record in held.values():
        text = paper_text(record)
        assert len(found[str(record["id"])]) >= 2  # the paper and its other version
        left = [p for papers in pool.values() for p in papers]
        assert left and not any(same_paper(text, paper_text(p)) for p in left)
        assert all(p["id"] != record["id"] for p in left)
    for seed in range(10):  # whichever paper is held out, its other version goes too
        held = hold_out(archives, min_papers=5, seed=seed)
        (record,) = held.values()
        found = copies(archives, held)
        pool = pool_archives(archives, found)
        texts = [paper_text(p) for papers in pool.values() for p in papers]
        assert len(texts) == 8 - len(found[record["id"]]) and paper_text(record) not in texts
        assert not any(same_paper(paper_text(record), t) for t in texts)


def test_every_holder_of_a_copy_is_an_author(settings: Settings, tmp_path: Path) -> None:
    archives = versioned_archives()
    seed = next(s for s in range(20) if hold_out(archives, min_papers=5, seed=s)["a"]["id"] == "a1")
    report = run_authorship(
        write_benchmark(tmp_path / "bench", archives),
        settings=settings,
        encoder=FakeEncoder(),
        seed=seed,
    )
    assert report.duplicated == 1 and report.to_json()["held_out_with_copies"] == 1
    # "b" held a1 too: its remaining paper is about sepsis, so "a" is the best-placed author
    assert report.ranks == {"a": 1}


def test_a_closer_researcher_ranks_the_author_second(settings: Settings, tmp_path: Path) -> None:
    """A decoy with the held-out paper's words in another order (not the same paper by the
    rule) beats the author, whose other papers share fewer words: the author ranks exactly 2."""
    topics = ["retinal imaging", "antibiotic stewardship", "sepsis lactate", "knee surgery"]
    archives: Archives = {
        "a": [
            paper("a0", "Gait sensors predict falls", GAIT),
            *(
                paper(f"a{i}", f"{t} study", f"We study {t} in a cohort.")
                for i, t in enumerate(topics, 1)
            ),
        ],
        "c": [paper("c0", "Colorectal screening", "Faecal immunochemical tests.")],
    }
    held = hold_out(archives, min_papers=5, seed=0)["a"]
    title, abstract = paper_text(held)
    reordered = " ".join(reversed(f"{title} {abstract}".split()))
    archives["z"] = [paper(f"z{i}", f"Decoy {i}", reordered) for i in range(3)]
    assert not same_paper((title, abstract), ("Decoy 0", reordered))
    report = run_authorship(
        write_benchmark(tmp_path / "bench", archives), settings=settings, encoder=FakeEncoder()
    )
    assert report.ranks == {"a": 2}
    assert report.metrics.hits_at_1 == 0.0 and report.metrics.mrr == 0.5
