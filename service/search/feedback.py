"""Users' feedback wired to the search (issue 18 item 3): the API's recent searches by reference,
a label's features computed from the index, introduction outcomes as labels.

Where a label's brief vector comes from, and why:

- **API**: ``POST /api/v1/search`` answers with a ``search_id``, a random reference to the
  brief's vector and text kept **in this process's memory** (:class:`RecentSearches`: at most
  :data:`RECENT_SEARCHES` searches, each for :data:`SEARCH_SECONDS`), so that ``POST
  /api/v1/feedback`` does not encode the brief again. Its text is needed once more, for the
  label's lexical features, and is then dropped with the reference: nothing is written but
  numbers. A reference is only good for the key that searched. Another worker, or an expired
  reference, answers 404 saying so; the caller may then send the brief's ``text`` instead, which
  is encoded again (≈ 13 ms) and not kept.
- **Search page**: the card's form sends the saved brief's id (:mod:`index.db.briefs`: the page
  keeps every brief it searched for 30 days, for its results URL); the handler reads that text
  and encodes it again (the page only ever has the text, and the results page is served by any
  worker).
- **Introductions**: an introduction keeps its brief (KE staff wrote it down when they proposed
  it); when it reaches ``collaborating`` (relevant) or ``declined`` (not relevant) the brief is
  encoded and the label recorded. One that moved when no index could be read is recorded by the
  next ``matcher learn`` (:func:`record_outcomes`).
- **Bids**: a bid the funder decided labels its members (:mod:`index.db.bids`' outcome labels).
  ``matcher learn`` records each **funded** bid's members as relevant to the bid's brief (the
  call's name and theme, encoded; :func:`record_bid_outcomes`). A bid that was not funded gives
  no label: the funder's no is about the whole application, not about whether each partner was
  right for the call. The search page shows a returning user their earlier choice on each card
  (:meth:`FeedbackStore.choices`).

Every label keeps the brief's vector and the profile's re-ranker features among the candidates
training would give it (:func:`service.search.rerank.label_features`), never the text.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.db.bids import BidStore
from index.db.feedback import FeedbackLabel, FeedbackSource, FeedbackStore
from index.db.introductions import IntroductionStore
from matcher.bids import Bid, BidStatus
from matcher.errors import IndexUnavailableError, NotFoundError, ProfileNotFoundError
from matcher.model import Introduction, IntroductionStatus
from service.search.engine import SearchEngine
from service.search.rerank import label_features

logger = logging.getLogger(__name__)

#: How long the API keeps a search's vector for its feedback.
SEARCH_SECONDS = 3600.0
#: How many searches it keeps at most (the oldest go first).
RECENT_SEARCHES = 1000
#: An introduction's outcome as a label.
OUTCOMES: dict[IntroductionStatus, bool] = {
    IntroductionStatus.COLLABORATING: True,
    IntroductionStatus.DECLINED: False,
}


class SearchNotFoundError(NotFoundError):
    """A search reference that is unknown, expired, another key's or another worker's (HTTP
    404; the message says to send the brief's text instead)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "search_id: this search is unknown or has expired (searches are kept for "
            f"{SEARCH_SECONDS / 60:.0f} minutes, by the worker that answered them); "
            "send the brief's text instead"
        )


@dataclass(frozen=True, slots=True)
class RecentSearch:
    """A search the API answered: who searched, the brief's text and vector, when."""

    key_id: str
    text: str
    vector: npt.NDArray[np.float32]
    at: float


class RecentSearches:
    """The API's recent searches by a random reference, in memory, bounded in number and age.

    Args:
        seconds: how long a search is kept.
        size: how many are kept at most.
        clock: seconds (monotonic), for tests.
    """

    def __init__(
        self,
        *,
        seconds: float = SEARCH_SECONDS,
        size: int = RECENT_SEARCHES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds, self._size, self._clock = seconds, size, clock
        self._lock = threading.Lock()
        self._searches: OrderedDict[str, RecentSearch] = OrderedDict()

    def remember(self, key_id: str, text: str, vector: npt.NDArray[np.float32]) -> str:
        """Keep a search; its reference."""
        reference = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            self._searches[reference] = RecentSearch(key_id, text, vector, self._clock())
            while len(self._searches) > self._size:
                self._searches.popitem(last=False)
        return reference

    def get(self, reference: str, key_id: str) -> RecentSearch | None:
        """The search of ``reference`` if the key ``key_id`` made it and it has not expired."""
        with self._lock:
            self._expire()
            found = self._searches.get(reference)
        return found if found is not None and found.key_id == key_id else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._searches)

    def _expire(self) -> None:
        oldest = self._clock() - self._seconds
        while self._searches and next(iter(self._searches.values())).at < oldest:
            self._searches.popitem(last=False)


def record_label(
    engine: SearchEngine,
    store: FeedbackStore,
    *,
    profile_id: str,
    relevant: bool,
    text: str,
    given_by: str,
    role: str,
    vector: npt.NDArray[np.float32] | None = None,
    source: FeedbackSource = "card",
    brief_id: str | None = None,
    introduction_id: int | None = None,
) -> FeedbackLabel:
    """Record a label of ``profile_id`` for the brief ``text`` (``vector``: its vector when the
    search kept it, else it is encoded); the label recorded.

    Raises:
        ProfileNotFoundError: the profile is not in the index.
        IndexUnavailableError: no usable index.
    """
    snap = engine.snapshot()
    at = snap.profile_index.get(profile_id)
    if at is None:
        raise ProfileNotFoundError(profile_id)
    query = engine.encode_briefs([text])[0] if vector is None else vector
    try:
        values = label_features(snap, engine.lexicon(snap), text, query, int(at))
    except ValueError as error:  # a profile with no item in this version: nothing to learn
        raise ProfileNotFoundError(profile_id) from error
    label = FeedbackLabel(
        profile_id=profile_id,
        relevant=relevant,
        source=source,
        vector=np.asarray(query, np.float32),
        model_id=snap.manifest.model_id,
        features=values,
        given_by=given_by,
        role=role,
        index_version=snap.manifest.version,
        brief_id=brief_id,
        introduction_id=introduction_id,
    )
    store.record(label)
    return label


def record_outcome(
    engine: SearchEngine,
    store: FeedbackStore,
    introduction: Introduction,
    *,
    given_by: str,
    role: str,
) -> FeedbackLabel | None:
    """The label of an introduction that reached an outcome, recorded (``None``: no outcome
    yet, no brief, or its profile is no longer in the index). Never raises for want of an
    index: the next ``matcher learn`` records what is missed (:func:`record_outcomes`)."""
    relevant = OUTCOMES.get(introduction.status)
    if relevant is None or not introduction.brief.strip():
        return None
    try:
        return record_label(
            engine,
            store,
            profile_id=introduction.profile_id,
            relevant=relevant,
            text=introduction.brief,
            given_by=given_by,
            role=role,
            source="introduction",
            introduction_id=introduction.id,
        )
    except (ProfileNotFoundError, IndexUnavailableError) as error:
        logger.info(
            "introduction %s: outcome not recorded as feedback (%s)", introduction.id, error
        )
        return None


def record_outcomes(
    engine: SearchEngine, store: FeedbackStore, introductions: IntroductionStore
) -> int:
    """Record the outcomes of every introduction that has one and no label yet (moved before
    this existed, or when no index could be read); how many were recorded."""
    done = store.recorded_introductions()
    recorded = 0
    for status in OUTCOMES:
        for found in introductions.find(status=status, limit=100_000):
            if found.id in done:
                continue
            movers = [e.by for e in found.events if e.action == "status"]
            label = record_outcome(
                engine,
                store,
                found,
                given_by=movers[-1] if movers else found.created_by,
                role="staff",
            )
            recorded += label is not None
    return recorded


def bid_brief(bid: Bid) -> str:
    """The brief a bid's members were chosen for: the call's name and its theme."""
    return ". ".join(part.strip() for part in (bid.call_name, bid.theme) if part.strip())


def record_bid_outcomes(engine: SearchEngine, store: FeedbackStore, bids: BidStore) -> int:
    """Label the members of every funded bid not yet recorded as relevant to the bid's brief
    (:func:`bid_brief`, encoded once per bid); how many labels were recorded. A member no
    longer in the index is left out; bids that were not funded give no label."""
    done = store.recorded_bids()
    recorded = 0
    for bid in bids.find(status=BidStatus.FUNDED, limit=100_000):
        given_by = f"bid {bid.id}"
        text = bid_brief(bid)
        if given_by in done or not text or not bid.members:
            continue
        vector = engine.encode_briefs([text])[0]
        for member in bid.members:
            try:
                record_label(
                    engine,
                    store,
                    profile_id=member.profile_id,
                    relevant=True,
                    text=text,
                    given_by=given_by,
                    role="staff",
                    vector=vector,
                    source="bid",
                )
            except (ProfileNotFoundError, IndexUnavailableError) as error:
                logger.info("bid %s: %s not recorded as feedback (%s)", bid.id, member, error)
                continue
            recorded += 1
    return recorded
