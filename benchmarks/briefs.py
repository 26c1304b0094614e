"""Briefs for the benchmarks that are not in the index: written ones and a seeded generator.

A latency figure measured with briefs copied from the pool measures texts whose nearest chunk is
themselves; the briefs here are written apart from the pool. ``benchmarks/briefs.txt`` holds 60
written briefs (clinical needs and company challenges, long and title-like);
:func:`generated_briefs` makes as many more as asked from its own vocabularies of clinical
problems, people and settings (grouped by theme, so that they fit together), methods, outcomes
and offers, combined by sentence frames of its own
(not the demo generator's templates), from an explicit seed. :func:`in_pool` finds briefs that
share a sentence with a pool's texts, so that a benchmark can refuse them
(:func:`require_outside`) and a test can check the written and generated ones against the demo.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITTEN = Path(__file__).with_name("briefs.txt")
DEMO = ROOT / "data" / "demo"
#: the seed of the generated briefs (no profile generator uses it)
SEED = 2311


@dataclass(frozen=True, slots=True)
class Theme:
    """Problems, people and settings that belong together (a brief draws one of each)."""

    problems: tuple[str, ...]
    people: tuple[str, ...]
    settings: tuple[str, ...]


THEMES = (
    Theme(
        ("falls at home", "falls on hospital wards", "fear of falling"),
        ("older people", "frail inpatients", "care home residents"),
        ("frailty ward", "falls service", "community therapy team"),
    ),
    Theme(
        ("delirium after surgery", "agitation in dementia", "loneliness in older people"),
        ("people with dementia and their carers", "older people after surgery"),
        ("memory clinic", "care home", "orthogeriatric ward"),
    ),
    Theme(
        ("missed sepsis on general wards", "wound infection after surgery", "antibiotic overuse"),
        ("adult inpatients", "children in the emergency department", "surgical patients"),
        ("emergency department", "acute medical unit", "hospital pharmacy"),
    ),
    Theme(
        ("slow healing of leg ulcers", "pressure ulcers", "foot ulcers in diabetes"),
        ("care home residents", "people with type 2 diabetes", "housebound patients"),
        ("community nursing team", "diabetic foot clinic", "tissue viability service"),
    ),
    Theme(
        ("poor inhaler technique", "frequent asthma attacks", "breathlessness in COPD"),
        ("adults with asthma", "teenagers with asthma", "people with COPD"),
        ("respiratory clinic", "general practice", "community pharmacy"),
    ),
    Theme(
        ("late diagnosis of diabetic eye disease", "a backlog of retinal images"),
        ("people with diabetes", "people who miss screening appointments"),
        ("retinal screening programme", "eye clinic", "general practice"),
    ),
    Theme(
        ("fatigue after stroke", "swallowing problems after stroke", "weak arm function"),
        ("stroke survivors", "people in the first months after a stroke"),
        ("stroke unit", "community stroke team", "rehabilitation ward"),
    ),
    Theme(
        ("unplanned readmission", "worsening symptoms at home", "missed medication doses"),
        ("people with heart failure", "people living in rural areas", "older people at home"),
        ("heart failure service", "cardiology outpatient clinic", "virtual ward"),
    ),
    Theme(
        ("relapse after discharge", "anxiety", "poor sleep"),
        ("young people", "people with severe mental illness", "shift workers"),
        ("community mental health team", "school nursing service", "psychology service"),
    ),
    Theme(
        ("acute kidney injury", "stopping home dialysis", "late referral to kidney services"),
        ("people on dialysis", "people with chronic kidney disease"),
        ("renal unit", "general practice", "dialysis centre"),
    ),
    Theme(
        ("long waits for chemotherapy", "low uptake of bowel screening", "late cancer diagnosis"),
        ("people with cancer", "people in deprived areas", "people who do not speak English"),
        ("oncology day unit", "cancer screening service", "general practice"),
    ),
    Theme(
        ("high blood pressure in pregnancy", "gestational diabetes", "late booking for care"),
        ("pregnant women", "new parents", "women from minority communities"),
        ("maternity unit", "community midwifery team", "antenatal clinic"),
    ),
    Theme(
        ("missed medication doses", "tremor", "falls"),
        ("people with Parkinson's disease",),
        ("movement disorder clinic", "neurology outpatient clinic"),
    ),
    Theme(
        ("chronic back pain", "slow recovery after knee replacement", "stiffness after surgery"),
        ("people waiting for joint surgery", "adults with back pain"),
        ("musculoskeletal physiotherapy service", "orthopaedic clinic"),
    ),
)
OUTCOMES = (
    "admissions to hospital",
    "length of stay",
    "time to diagnosis",
    "quality of life",
    "days spent at home",
    "medication adherence",
    "healing time",
    "costs to the service",
    "patient experience",
    "staff time",
    "rates of harm",
    "waiting times",
)
METHODS = (
    "a wearable sensor",
    "a smartphone app",
    "remote monitoring at home",
    "a text message reminder service",
    "a machine learning risk score",
    "computer vision on clinical photographs",
    "a nurse-led telephone follow-up",
    "a peer support scheme",
    "a group exercise programme",
    "a video consultation service",
    "a point-of-care blood test",
    "a handheld ultrasound device",
    "voice and speech analysis",
    "smart home sensors",
    "a new dressing",
    "a digital therapy course",
    "an electronic alert in the patient record",
    "a low-cost thermal camera",
    "a co-designed self-management course",
    "linked primary and hospital care records",
)
OFFERS = (
    "a research nurse for two days a week",
    "access to anonymised routine data",
    "a clinical lead who can co-apply for funding",
    "patients and carers willing to help design the study",
    "space to run a pilot on one ward",
    "a small budget for equipment",
)
PRODUCTS = (
    "a wristband that records movement",
    "a patch that measures breathing",
    "an app that tracks symptoms",
    "a rapid test cartridge",
    "a sensor mat for beds and chairs",
    "a reminder device for medication",
    "software that reads clinical images",
    "a platform for video rehabilitation",
)

_NEED_FRAMES = (
    "Our {setting} sees {problem} among {people}. We would like to find out whether {method} "
    "could help, measuring {outcome}. We can offer {offer}.",
    "Can {method} reduce {problem} in {people}? The {setting} is looking for academic partners "
    "to design an evaluation and measure {outcome}.",
    "We want to understand why {problem} is common among {people} in our area and to test "
    "{method} with them. Our {setting} can offer {offer}.",
    "Our {setting} would like partners to help to compare {method} with usual care for "
    "{problem}, with {outcome} as the main measure.",
)
_CHALLENGE_FRAMES = (
    "A company with {product} is looking for a {setting} to test it with {people}, measuring "
    "{outcome}.",
    "Our company has developed {product} for {problem}. We need clinical partners in a {setting} "
    "to run a feasibility study with {people}.",
    "We are a small firm offering {product}. We want researchers to help show whether it "
    "changes {outcome} for {people} with {problem}.",
)
_TITLE_FRAMES = (
    "{Method} for {problem} in {people}.",
    "Reducing {problem} with {method}.",
    "{Method} to improve {outcome} in a {setting}.",
)


def written_briefs(path: Path = WRITTEN) -> list[str]:
    """The written briefs of ``benchmarks/briefs.txt`` (comment lines left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def generated_briefs(n: int, *, seed: int = SEED) -> list[str]:
    """``n`` distinct briefs from the vocabularies above: about half clinical needs, a third
    company challenges, the rest title-like one-liners; the same on every call with one seed.

    Raises:
        ValueError: ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"a number of briefs is 0 or more, not {n}")
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < n:
        theme = rng.choice(THEMES)
        words = {
            "problem": rng.choice(theme.problems),
            "people": rng.choice(theme.people),
            "setting": rng.choice(theme.settings),
            "method": rng.choice(METHODS),
            "outcome": rng.choice(OUTCOMES),
            "offer": rng.choice(OFFERS),
            "product": rng.choice(PRODUCTS),
        }
        words["Method"] = _capital(words["method"])
        draw = rng.random()
        frames = _NEED_FRAMES if draw < 0.5 else _CHALLENGE_FRAMES if draw < 0.85 else _TITLE_FRAMES
        found.setdefault(_capital(rng.choice(frames).format(**words)), None)
    return list(found)


def held_out_briefs(n: int, *, seed: int = SEED) -> list[str]:
    """``n`` briefs not in the index: the written ones first, then generated ones.

    Raises:
        ValueError: ``n`` is negative.
    """
    written = written_briefs()
    return (written + generated_briefs(max(n - len(written), 0), seed=seed))[:n]


_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, lower-cased, spaces collapsed, end punctuation dropped."""
    pieces = (" ".join(part.lower().split()).strip(" .?!;") for part in _SENTENCE_END.split(text))
    return [piece for piece in pieces if piece]


def in_pool(briefs: Iterable[str], pool_texts: Iterable[str]) -> list[str]:
    """The briefs that share a sentence (or are a title) with any of ``pool_texts``."""
    known = {s for text in pool_texts for s in sentences(text)}
    return [brief for brief in briefs if any(s in known for s in sentences(brief))]


def require_outside(briefs: Sequence[str], pool_texts: Iterable[str]) -> None:
    """Refuse briefs copied from the pool.

    Raises:
        SystemExit: some brief shares a sentence with the pool (they are named).
    """
    copied = in_pool(briefs, pool_texts)
    if copied:
        raise SystemExit(f"{len(copied)} briefs share a sentence with the pool: {copied[:3]}")


def demo_texts(folder: Path = DEMO) -> list[str]:
    """Every summary, evidence title and evidence text of the demo data files."""
    texts: list[str] = []
    for name in ("academics.jsonl", "clinical_teams.jsonl"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts.append(record.get("summary", ""))
                for item in record.get("evidence", []):
                    texts += [item.get("title", ""), item.get("text", "")]
    with (folder / "smes.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            texts += [row.get("summary", ""), row.get("title", ""), row.get("text", "")]
    return [text for text in texts if text]


def demo_briefs(n: int, folder: Path = DEMO) -> list[str]:
    """In-pool briefs, for the labelled second figure: the demo's clinical needs and SME
    challenges (title only, and title and text), cycled to ``n``."""
    texts: list[str] = []
    for line in (folder / "clinical_teams.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            for item in json.loads(line)["evidence"]:
                texts += [item["title"], f"{item['title']}. {item['text']}"]
    with (folder / "smes.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("evidence_type") == "challenge" and row.get("title"):
                texts += [row["title"], f"{row['title']}. {row['text']}"]
    return (texts * (n // max(len(texts), 1) + 1))[:n]
