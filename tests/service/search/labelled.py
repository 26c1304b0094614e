"""The labelled demo briefs (tests/data/briefs_labelled.json) and their hit rate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.briefs import make_brief
from matcher.model import ProfileKind

LABELLED = Path(__file__).parents[2] / "data" / "briefs_labelled.json"


@dataclass(frozen=True, slots=True)
class LabelledOutcome:
    """Hits of (brief, kind) expectations, and of strong kinds labelled strong or good."""

    hits: int
    expectations: int
    strong_hits: int
    strong_expectations: int
    misses: tuple[str, ...]

    @property
    def hit_rate(self) -> float:
        return self.hits / self.expectations

    @property
    def strong_rate(self) -> float:
        return self.strong_hits / self.strong_expectations if self.strong_expectations else 1.0


def labelled_briefs() -> list[dict[str, Any]]:
    """The briefs with their expected profiles per kind."""
    briefs: list[dict[str, Any]] = json.loads(LABELLED.read_text())["briefs"]
    return briefs


def evaluate(engine: Any) -> LabelledOutcome:
    """Search every labelled brief (top 3 per kind) and count the hits."""
    hits = expectations = strong_hits = strong_expectations = 0
    misses: list[str] = []
    for case in labelled_briefs():
        result = engine.search(make_brief(case["text"], top=3))
        for kind, wanted in case["expected"].items():
            found = [m.profile_id for m in result.groups.get(ProfileKind(kind), ())]
            expectations += 1
            if set(found) & set(wanted):
                hits += 1
            else:
                misses.append(f"{case['id']}/{kind}: {found}")
        for kind in case.get("strong_kinds", []):
            matches = result.groups.get(ProfileKind(kind), ())
            strong_expectations += 1
            if matches and matches[0].strength_label in ("strong", "good"):
                strong_hits += 1
            else:
                label = matches[0].strength_label if matches else "none"
                misses.append(f"{case['id']}/{kind}: best is {label}")
    return LabelledOutcome(hits, expectations, strong_hits, strong_expectations, tuple(misses))
