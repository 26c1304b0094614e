"""Fetching the same records live from the sources' public APIs (the importers' ``--api``).

One :class:`SourceClient` per API: an ``httpx.Client`` on a base URL (the public host by
default, a loopback server in tests), a polite minimum interval between requests, and retries
with exponential back-off (tenacity) on HTTP 429, 5xx and connection errors, honouring a
``Retry-After`` header up to the back-off ceiling. The fetchers page through the APIs and hand
each page to the same parser the file readers use, so a fetched record is exactly what the
saved file would have given.

Paging: OpenAlex works by institution with cursor paging (``cursor=*`` then
``meta.next_cursor``) and a ``mailto`` contact (OpenAlex's polite pool); ORCID one record per
iD; Gateway to Research by organisation, page by page (``p``, ``s``, ``totalPages``).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from index.ingest.sources import gtr, openalex, orcid
from index.ingest.sources.errors import (
    InvalidInstitutionIdError,
    InvalidSourceIdError,
    SourceRecordNotFoundError,
    SourceUnavailableError,
)
from index.ingest.sources.model import (
    ReadError,
    SourceRecord,
    normalise_openalex_id,
    normalise_orcid,
    normalise_ror,
)
from index.ingest.sources.reading import dig

logger = logging.getLogger(__name__)

OPENALEX_API = "https://api.openalex.org"
ORCID_API = "https://pub.orcid.org/v3.0"
GTR_API = "https://gtr.ukri.org/gtr/api"
GTR_JSON = "application/vnd.rcuk.gtr.json-v7"
"""GtR serves XML unless asked for this media type."""

Params = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely and how persistently to ask.

    Attributes:
        min_interval: seconds between the starts of two requests (OpenAlex allows 10 a second;
            ORCID's public API and GtR ask for restraint; 0.2 s is polite to all three).
        attempts: tries per request, the first included.
        backoff_initial: seconds before the first retry, doubled each time.
        backoff_max: the longest wait between tries, also the cap on a ``Retry-After``.
        timeout: seconds per request.
    """

    min_interval: float = 0.2
    attempts: int = 5
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 30.0
    user_agent: str = "ke-matcher/0.1 (knowledge-exchange expertise matching)"


class RateLimiter:
    """At most one request per ``min_interval`` seconds (clock and sleep injectable)."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the next request may start."""
        if self._last is not None:
            delay = self._last + self._interval - self._clock()
            if delay > 0:
                self._sleep(delay)
        self._last = self._clock()


class _TransientError(Exception):
    """A failure worth retrying (429, 5xx, connection), with the server's Retry-After."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class SourceClient:
    """A polite JSON client for one API.

    Args:
        base_url: the API root (``OPENALEX_API``...; a loopback URL in tests).
        policy: rate limit, retries and timeout.
        headers: extra headers sent with every request.
        sleep: how to wait (injectable so tests need not).
    """

    def __init__(
        self,
        base_url: str,
        *,
        policy: FetchPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._limiter = RateLimiter(self.policy.min_interval, sleep=sleep)
        self._client = httpx.Client(
            base_url=base_url,
            timeout=self.policy.timeout,
            headers={"User-Agent": self.policy.user_agent, **(headers or {})},
            follow_redirects=True,
        )

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def url_for(self, path: str, params: Params | None = None) -> str:
        """The full URL of a request (for messages and provenance)."""
        return str(self._client.build_request("GET", path, params=params).url)

    def get_json(
        self, path: str, params: Params | None = None, *, accept: str = "application/json"
    ) -> object:
        """The decoded JSON answer to ``GET path``, retried on transient failures.

        Raises:
            SourceRecordNotFoundError: HTTP 404.
            SourceUnavailableError: another 4xx, an answer that is not JSON, or a transient
                failure on every attempt.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._backoff,
            retry=retry_if_exception_type(_TransientError),
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )
        try:
            return retrying(self._get_once, path, params, accept)
        except _TransientError as error:
            raise SourceUnavailableError(
                self.url_for(path, params),
                f"{error.reason} (after {self.policy.attempts} attempts)",
            ) from None

    def _get_once(self, path: str, params: Params | None, accept: str) -> object:
        self._limiter.wait()
        url = self.url_for(path, params)
        try:
            response = self._client.get(path, params=params, headers={"Accept": accept})
        except httpx.TransportError as error:
            raise _TransientError(f"connection failed: {error}") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _TransientError(
                f"HTTP {status}", retry_after=_retry_after(response.headers.get("Retry-After"))
            )
        if status == 404:
            raise SourceRecordNotFoundError(url)
        if status >= 400:
            raise SourceUnavailableError(url, f"HTTP {status}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError:
            raise SourceUnavailableError(url, "the answer is not JSON") from None

    def _backoff(self, state: RetryCallState) -> float:
        policy = self.policy
        wait = float(policy.backoff_initial * 2.0 ** (state.attempt_number - 1))
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _TransientError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return float(min(wait, policy.backoff_max))

    @staticmethod
    def _log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.info("retrying after attempt %d: %s", state.attempt_number, error)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------------- OpenAlex


def openalex_institution_filter(institution: str) -> str:
    """The OpenAlex works filter for an institution given by ROR or OpenAlex id (bare or URL):
    ``authorships.institutions.lineage`` for an OpenAlex id (its sub-institutions too),
    ``authorships.institutions.ror`` for a ROR id.

    Raises:
        InvalidInstitutionIdError: the value is neither.
    """
    ror = normalise_ror(institution)
    if ror:
        return f"authorships.institutions.ror:https://ror.org/{ror}"
    openalex_id = normalise_openalex_id(institution)
    if openalex_id.startswith("I"):
        return f"authorships.institutions.lineage:{openalex_id}"
    raise InvalidInstitutionIdError(institution)


def openalex_pages(
    client: SourceClient,
    institution: str,
    *,
    mailto: str,
    per_page: int = 200,
    max_pages: int | None = None,
) -> Iterator[tuple[str, object]]:
    """The result pages of an institution's works, as (request URL, decoded page).

    Raises:
        InvalidSourceIdError: ``mailto`` is not an e-mail address, or the institution id is bad.
        SourceUnavailableError: the API failed (see :meth:`SourceClient.get_json`).
    """
    if "@" not in mailto:
        raise InvalidSourceIdError("contact e-mail", mailto, "an address OpenAlex can write to")
    cursor: str | None = "*"
    pages = 0
    while cursor and (max_pages is None or pages < max_pages):
        params: dict[str, str | int] = {
            "filter": openalex_institution_filter(institution),
            "per-page": per_page,
            "cursor": cursor,
            "mailto": mailto,
        }
        page = client.get_json("/works", params)
        pages += 1
        yield client.url_for("/works", params), page
        next_cursor = dig(page, "meta", "next_cursor")
        results = dig(page, "results")
        cursor = next_cursor if isinstance(next_cursor, str) and results else None


def fetch_openalex(
    client: SourceClient,
    institutions: Iterable[str],
    *,
    mailto: str,
    per_page: int = 200,
    max_pages: int | None = None,
) -> Iterator[SourceRecord | ReadError]:
    """The works of each institution, read as from a saved file (ReadErrors name the URL).

    Raises:
        InvalidSourceIdError: a bad institution id or contact e-mail.
        SourceUnavailableError: the API failed.
    """
    for institution in institutions:
        pages = openalex_pages(
            client, institution, mailto=mailto, per_page=per_page, max_pages=max_pages
        )
        for url, page in pages:
            yield from openalex.parse_value(page, url, 1, _now())


# ----------------------------------------------------------------------------- ORCID


def fetch_orcid(client: SourceClient, ids: Iterable[str]) -> Iterator[SourceRecord | ReadError]:
    """The public record of each ORCID iD (``GET /{iD}/record``).

    Raises:
        InvalidSourceIdError: a value is not an ORCID iD.
        SourceRecordNotFoundError: ORCID has no such record.
        SourceUnavailableError: the API failed.
    """
    for value in ids:
        orcid_id = normalise_orcid(value)
        if not orcid_id:
            raise InvalidSourceIdError("ORCID iD", value, "0000-0002-1825-0097 or its URL")
        path = f"/{orcid_id}/record"
        record = client.get_json(path, accept="application/json")
        yield from orcid.parse_value(record, client.url_for(path), 1, _now())


# ----------------------------------------------------------------------------- GtR


def gtr_pages(
    client: SourceClient, organisation: str, resource: str, *, page_size: int = 100
) -> Iterator[tuple[str, object]]:
    """The pages of an organisation's ``projects`` or ``persons`` in GtR, as (URL, page).

    Raises:
        SourceRecordNotFoundError: GtR has no such organisation.
        SourceUnavailableError: the API failed.
    """
    if resource not in {"projects", "persons"}:
        raise ValueError(f"resource must be 'projects' or 'persons', not {resource!r}")
    page_number = 1
    while True:
        path = f"/organisations/{organisation}/{resource}"
        params: dict[str, str | int] = {"p": page_number, "s": page_size}
        page = client.get_json(path, params, accept=GTR_JSON)
        yield client.url_for(path, params), page
        total = dig(page, "totalPages")
        if not isinstance(total, int) or page_number >= total:
            return
        page_number += 1


def fetch_gtr(
    client: SourceClient, organisations: Iterable[str], *, page_size: int = 100
) -> Iterator[SourceRecord | ReadError]:
    """Each organisation's record, then its projects and persons, read as from saved pages.

    Raises:
        SourceRecordNotFoundError: GtR has no such organisation.
        SourceUnavailableError: the API failed.
    """
    for organisation in organisations:
        path = f"/organisations/{organisation}"
        record = client.get_json(path, accept=GTR_JSON)
        yield from gtr.parse_value(record, client.url_for(path), 1, _now())
        for resource in ("projects", "persons"):
            for url, page in gtr_pages(client, organisation, resource, page_size=page_size):
                yield from gtr.parse_value(page, url, 1, _now())
