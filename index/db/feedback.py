"""Users' feedback on results: "relevant / not relevant" from a result card, and introduction
outcomes, each a label of one profile for one brief (issue 18 item 3).

A label keeps the brief's vector (float32) and the re-ranker's feature row of the profile when
it was given, never the brief's text: ``brief_id`` names the search page's saved brief
(:mod:`index.db.briefs`, which keeps it by its own retention), and ``brief_ref`` (a hash of the
vector) groups the labels of one brief. A second card label from the same person for the same
brief and profile replaces the first; an introduction has at most one label.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Integer, cast, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.clock import timestamp
from index.db.schema import feedback

FeedbackSource = Literal["card", "introduction", "bid"]
SOURCES: tuple[str, ...] = ("card", "introduction", "bid")


def brief_ref(vector: npt.NDArray[np.float32]) -> str:
    """The id of a brief among labels: the SHA-256 of its vector's float32 bytes (the same text
    under the same model gives the same vector, so its labels group, whatever their source)."""
    return hashlib.sha256(np.asarray(vector, np.float32).tobytes()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class FeedbackLabel:
    """One label.

    Attributes:
        profile_id: the profile labelled.
        relevant: the label.
        source: ``card`` (a result card or the API), ``introduction`` (an introduction's
            outcome) or ``bid`` (a funded bid's members, ``given_by`` ``bid <id>``).
        vector: the brief's vector, float32, as the index's model encoded it.
        model_id: that model.
        features: the profile's re-ranker features for the brief when labelled, by name.
        given_by: who gave it (a key id; for an outcome, who moved the introduction).
        role: their role.
        index_version: the index version the features were computed on.
        brief_id: the page's saved brief, when the label came from the search page.
        introduction_id: the introduction, for an outcome.
        created_at: when (UTC, ISO 8601; set on recording).
    """

    profile_id: str
    relevant: bool
    source: FeedbackSource
    vector: npt.NDArray[np.float32]
    model_id: str
    features: dict[str, float]
    given_by: str
    role: str
    index_version: int
    brief_id: str | None = None
    introduction_id: int | None = None
    created_at: str = ""

    @property
    def brief_ref(self) -> str:
        """The brief's id among labels (:func:`brief_ref`)."""
        return brief_ref(self.vector)


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """How many labels there are, of how many briefs, and how many say relevant."""

    labels: int
    briefs: int
    relevant: int


class FeedbackStore:
    """Record labels and read them back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, label: FeedbackLabel) -> int:
        """Keep ``label``; its row id. A card label replaces the same person's earlier label of
        the same profile for the same brief; an introduction's label is recorded once (a second
        call returns the first's id).

        Raises:
            ValueError: an unknown source.
        """
        if label.source not in SOURCES:
            raise ValueError(f"unknown feedback source {label.source!r}; known: {list(SOURCES)}")
        values: dict[str, Any] = {
            "profile_id": label.profile_id,
            "relevant": label.relevant,
            "source": label.source,
            "brief_ref": label.brief_ref,
            "brief_id": label.brief_id,
            "introduction_id": label.introduction_id,
            "vector": np.asarray(label.vector, np.float32).tobytes(),
            "model_id": label.model_id,
            "features": {k: float(v) for k, v in label.features.items()},
            "given_by": label.given_by,
            "role": label.role,
            "index_version": label.index_version,
            "created_at": timestamp(),
        }
        with self._engine.begin() as connection:
            if label.introduction_id is not None:
                where = feedback.c.introduction_id == label.introduction_id
            else:
                where = (
                    (feedback.c.source == label.source)
                    & (feedback.c.given_by == label.given_by)
                    & (feedback.c.brief_ref == values["brief_ref"])
                    & (feedback.c.profile_id == label.profile_id)
                )
            existing = connection.execute(select(feedback.c.id).where(where)).scalars().first()
            if existing is not None:
                if label.introduction_id is None:
                    connection.execute(
                        update(feedback).where(feedback.c.id == existing).values(values)
                    )
                return int(existing)
            try:
                with connection.begin_nested():
                    result = connection.execute(insert(feedback).values(values))
            except IntegrityError:  # the same introduction, recorded meanwhile
                found = connection.execute(select(feedback.c.id).where(where)).scalar_one()
                return int(found)
            key = result.inserted_primary_key
            return int(key[0]) if key is not None else 0

    def labels(self, *, model_id: str | None = None) -> list[FeedbackLabel]:
        """Every label (of ``model_id``'s vectors only, when given), oldest first."""
        query = select(feedback).order_by(feedback.c.id)
        if model_id is not None:
            query = query.where(feedback.c.model_id == model_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            FeedbackLabel(
                profile_id=r["profile_id"],
                relevant=bool(r["relevant"]),
                source=r["source"],
                vector=np.frombuffer(r["vector"], dtype=np.float32).copy(),
                model_id=r["model_id"],
                features={str(k): float(v) for k, v in dict(r["features"]).items()},
                given_by=r["given_by"],
                role=r["role"],
                index_version=int(r["index_version"]),
                brief_id=r["brief_id"],
                introduction_id=r["introduction_id"],
                created_at=r["created_at"],
            )
            for r in rows
        ]

    def choices(self, *, given_by: str, brief_ref: str) -> dict[str, bool]:
        """One person's card labels of one brief (by :func:`brief_ref` of its vector): profile
        id → relevant. The search page shows a returning user what they chose before."""
        query = select(feedback.c.profile_id, feedback.c.relevant).where(
            (feedback.c.source == "card")
            & (feedback.c.given_by == given_by)
            & (feedback.c.brief_ref == brief_ref)
        )
        with self._engine.connect() as connection:
            return {str(p): bool(r) for p, r in connection.execute(query)}

    def recorded_bids(self) -> set[str]:
        """The ``given_by`` of every bid outcome's labels (``bid <id>``): the bids recorded."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(feedback.c.given_by).where(feedback.c.source == "bid").distinct()
            ).scalars()
            return {str(g) for g in found}

    def recorded_introductions(self) -> set[int]:
        """The introductions that have a label."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(feedback.c.introduction_id).where(feedback.c.introduction_id.is_not(None))
            ).scalars()
            return {int(i) for i in found}

    def summary(self) -> FeedbackSummary:
        """Counts of labels, briefs and relevant labels."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    func.count(),
                    func.count(func.distinct(feedback.c.brief_ref)),
                    func.coalesce(func.sum(cast(feedback.c.relevant, Integer)), 0),
                )
            ).one()
        return FeedbackSummary(int(row[0]), int(row[1]), int(row[2]))
