"""The live fetchers against a local HTTP server on 127.0.0.1 serving the fixture pages: cursor
paging, retry after 429 and 503, the rate limit, 404. The suite never reaches the internet."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from index.ingest.sources import SourceBatch, SourceRecordNotFoundError, SourceUnavailableError
from index.ingest.sources.fetch import (
    FetchPolicy,
    RateLimiter,
    SourceClient,
    fetch_gtr,
    fetch_openalex,
    fetch_orcid,
    openalex_institution_filter,
)
from tests.index.ingest.sources.conftest import DATA

AISHA = "0000-0003-4721-5802"
FAST = FetchPolicy(min_interval=0.0, attempts=3, backoff_initial=0.01, backoff_max=0.05, timeout=5)

Route = Callable[[str, dict[str, list[str]]], tuple[int, dict[str, str], bytes]]


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


class Server:
    """A loopback server answering from a route function, recording every request."""

    def __init__(self, route: Route) -> None:
        self.requests: list[tuple[float, str, dict[str, list[str]], dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                outer.requests.append((time.monotonic(), url.path, query, dict(self.headers)))
                status, headers, body = route(url.path, query)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


JSON = {"Content-Type": "application/json"}


@pytest.fixture
def openalex_server() -> Iterator[Server]:
    def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path != "/works":
            return 404, JSON, b"{}"
        cursor = query.get("cursor", [""])[0]
        if cursor == "*":
            return 200, JSON, fixture("openalex/works-page-1.json")
        return 200, JSON, fixture("openalex/works-page-2.json")

    with Server(route) as server:
        yield server


def test_openalex_cursor_paging_with_a_contact(openalex_server: Server) -> None:
    with SourceClient(openalex_server.url, policy=FAST) as client:
        records = SourceBatch().add_all(
            fetch_openalex(client, ["https://ror.org/05nrh1k22"], mailto="ke@northhaven.example")
        )
    assert [w.source_id for w in records.works] == ["W4300000001", "W4300000002", "W4300000004"]
    queries = [q for _, _, q, _ in openalex_server.requests]
    assert [q["cursor"] for q in queries] == [["*"], ["IlsxNzAwMDAwMDAwMDAwXSI="]]
    assert all(q["mailto"] == ["ke@northhaven.example"] for q in queries)
    assert queries[0]["filter"] == ["authorships.institutions.ror:https://ror.org/05nrh1k22"]
    assert records.works[0].retrieved_at.endswith("Z")


def test_openalex_filter_for_an_openalex_id() -> None:
    assert openalex_institution_filter("https://openalex.org/I4210000001") == (
        "authorships.institutions.lineage:I4210000001"
    )


def test_a_429_then_success_is_retried_honouring_retry_after() -> None:
    calls: list[int] = []

    def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        calls.append(1)
        if len(calls) == 1:
            return 429, {**JSON, "Retry-After": "0"}, b'{"error": "slow down"}'
        if len(calls) == 2:
            return 503, JSON, b"{}"
        return 200, JSON, fixture(f"orcid/{AISHA}.json")

    waits: list[float] = []
    with (
        Server(route) as server,
        SourceClient(server.url, policy=FAST, sleep=waits.append) as client,
    ):
        result = SourceBatch().add_all(fetch_orcid(client, [f"https://orcid.org/{AISHA}"]))
    assert result.people[0].orcid == AISHA
    assert len(calls) == 3
    assert waits == [0.01, 0.02]  # exponential back-off between the three tries
    assert server.requests[0][1] == f"/{AISHA}/record"
    assert server.requests[0][3]["Accept"] == "application/json"


def test_retries_give_up_with_a_clear_error() -> None:
    def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return 500, JSON, b"{}"

    with (
        Server(route) as server,
        SourceClient(server.url, policy=FAST, sleep=lambda s: None) as client,
    ):
        with pytest.raises(SourceUnavailableError, match=r"HTTP 500 \(after 3 attempts\)"):
            client.get_json("/anything")
        assert len(server.requests) == 3


def test_a_connection_error_is_retried_then_reported() -> None:
    # a port nobody listens on: bind, read the port, close
    with Server(lambda p, q: (200, JSON, b"{}")) as server:
        url = server.url
    client = SourceClient(url, policy=FAST, sleep=lambda s: None)
    with client, pytest.raises(SourceUnavailableError, match="connection failed"):
        client.get_json("/x")


def test_404_is_not_found_without_retry() -> None:
    with (
        Server(lambda p, q: (404, JSON, b"{}")) as server,
        SourceClient(server.url, policy=FAST) as client,
    ):
        with pytest.raises(SourceRecordNotFoundError):
            client.get_json(f"/{AISHA}/record")
        assert len(server.requests) == 1


def test_the_rate_limit_spaces_requests() -> None:
    interval = 0.1
    with Server(lambda p, q: (200, JSON, b"{}")) as server:
        policy = FetchPolicy(min_interval=interval, attempts=1, timeout=5)
        with SourceClient(server.url, policy=policy) as client:
            for _ in range(4):
                client.get_json("/x")
        stamps = [t for t, _, _, _ in server.requests]
    # measured at the server: arrival jitter (the first request also opens the connection)
    # shortens a gap a little, never by much; without the limit the gaps would be ~1 ms
    # (on a loaded host one arrival can be delayed more than the next: the full suite failed at 0.6);
    # the limiter's own arithmetic is tested exactly with a fake clock below
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.3 * interval
    assert stamps[-1] - stamps[0] >= 3 * interval * 0.8


def test_rate_limiter_sleeps_only_the_remainder() -> None:
    now = [10.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 0.25
    limiter.wait()
    assert slept == [pytest.approx(0.75)]


def test_gtr_by_organisation_pages_through(tmp_path: Path) -> None:
    organisation = "7a1d3c55-0e4b-4a53-9d6e-1b2c3d4e5f01"
    projects = json.loads(fixture("gtr/projects.json"))
    second = dict(projects, project=[projects["project"][1]], page=2, totalPages=2)
    first = dict(projects, project=[projects["project"][0]], page=1, totalPages=2)
    one_org = json.loads(fixture("gtr/organisations.json"))["organisation"][0]

    def route(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path == f"/organisations/{organisation}":
            return 200, JSON, json.dumps(one_org).encode()
        if path.endswith("/projects"):
            return 200, JSON, json.dumps(first if query["p"] == ["1"] else second).encode()
        if path.endswith("/persons"):
            return 200, JSON, fixture("gtr/persons.json")
        return 404, JSON, b"{}"

    with Server(route) as server, SourceClient(server.url, policy=FAST) as client:
        result = SourceBatch().add_all(fetch_gtr(client, [organisation], page_size=10))
        accepts = {r[3]["Accept"] for r in server.requests}
    assert [o.name for o in result.organisations] == ["University of Northhaven"]
    assert len(result.works) == 2 and len(result.people) == 3
    assert accepts == {"application/vnd.rcuk.gtr.json-v7"}
