"""Locust users for ``make load-test`` (driven by :mod:`benchmarks.load_test`).

Each user searches, reads profiles, replaces whole profiles and moves introductions along. A user
owns its own profiles and introductions, and writes each of them one request at a time, so the
last write it saw acknowledged (2xx) is the state the catalogue must hold at the end (or a write
of it that failed after that one: a write in flight when a server died may have been committed);
one more profile is replaced by every user concurrently. Every acknowledged write, and every
failed one (kind ``…-attempt``), is appended to the log named by ``KE_LOAD_ACK_LOG``; every
request (replica, start and end time, status) to ``requests.jsonl`` beside it.

Several replicas (the plan's ``hosts``): each user sends its requests to its own replica, as a
reverse proxy would, and for :data:`FAILOVER_S` seconds after a request there failed without an
answer (the replica died or is down) to the next replica that has not.

Environment: ``KE_LOAD_PLAN`` (JSON file: admin and staff keys, profile records, users, and
optionally ``hosts``), ``KE_LOAD_ACK_LOG`` (JSON Lines written here).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["KE_LOAD_PLAN"]).read_text())
ACK_LOG = Path(os.environ["KE_LOAD_ACK_LOG"])
NEXT_USER = itertools.count()
#: the replicas' base URLs (none: locust's --host alone)
HOSTS: list[str] = list(PLAN.get("hosts") or [])
REQUEST_LOG = ACK_LOG.with_name("requests.jsonl")
#: seconds a user sends to another replica after its own failed without an answer
FAILOVER_S = 2.0
BRIEFS = (
    "wearable sensors to detect falls in older hospital inpatients",
    "deep learning for retinal screening photographs",
    "antibiotic stewardship and sepsis in emergency departments",
    "telehealth support for carers of people with dementia",
    "supply chain logistics software for hospital pharmacy",
    "physiotherapy and exercise after stroke rehabilitation",
)
NEXT_STATUS = {"proposed": "contacted", "contacted": "met", "met": "collaborating"}


def acknowledge(entry: dict[str, Any]) -> None:
    """Record one acknowledged write (one line, appended)."""
    with ACK_LOG.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


ERROR_LOG = ACK_LOG.with_name("server_errors.jsonl")


def log_request(entry: dict[str, Any]) -> None:
    """Record one request (replica, name, start, end, status, error)."""
    with REQUEST_LOG.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def is_server_error(response: Any) -> bool:
    """5xx, or a database lock reported to the user in any status (logged to ``ERROR_LOG``)."""
    text = response.text or ""
    bad = response.status_code >= 500 or "database is locked" in text
    if bad:
        with ERROR_LOG.open("a") as handle:
            entry = {"status": response.status_code, "url": response.url, "body": text[:300]}
            handle.write(json.dumps(entry) + "\n")
    return bad


class KeStaff(HttpUser):
    """A KE office member: mostly searching, sometimes editing profiles and introductions."""

    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.number = next(NEXT_USER)
        users = int(PLAN["users"])
        records = PLAN["profiles"]
        # profile 0 is written by everyone (update_shared_profile); the rest have one owner
        self.mine = [r for i, r in enumerate(records) if i and i % users == self.number % users]
        self.others = [r["id"] for r in records]
        self.rng = random.Random(1_000 + self.number)
        self.sequence = 0
        self.introductions: dict[int, str] = {}
        self.admin = {"authorization": f"Bearer {PLAN['admin_key']}"}
        self.staff = {"authorization": f"Bearer {PLAN['staff_key']}"}
        self.down_until = [0.0] * len(HOSTS)

    def replica(self) -> int:
        """The replica for the next request: the user's own unless it failed in the last
        :data:`FAILOVER_S` seconds (-1: no replicas, locust's host)."""
        if not HOSTS:
            return -1
        own = self.number % len(HOSTS)
        moment = time.time()
        for step in range(len(HOSTS)):
            candidate = (own + step) % len(HOSTS)
            if moment >= self.down_until[candidate]:
                return candidate
        return own

    @contextlib.contextmanager
    def call(
        self, method: str, path: str, *, name: str, expected: int | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        """A request (locust's ``catch_response``) to :meth:`replica`, logged when done (a
        failure unless 2xx or the ``expected`` status)."""
        replica = self.replica()
        url = HOSTS[replica] + path if replica >= 0 else path
        started = time.time()
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            try:
                yield response
            finally:
                ended = time.time()
                status = int(response.status_code or 0)
                if status == 0 and replica >= 0:  # no answer: the replica is down
                    self.down_until[replica] = ended + FAILOVER_S
                error = getattr(response, "error", None)
                log_request(
                    {
                        "replica": replica,
                        "name": name,
                        "started": started,
                        "ended": ended,
                        "status": status,
                        # no answer (status 0) is always a failure
                        "failed": not (200 <= status < 300 or (status and status == expected)),
                        "error": type(error).__name__ if error else None,
                    }
                )

    @task(6)
    def search(self) -> None:
        with self.call(
            "POST",
            "/api/v1/search",
            json={"text": self.rng.choice(BRIEFS), "top": 5},
            headers=self.staff,
            name="search",
        ) as response:
            if is_server_error(response) or response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def read_profile(self) -> None:
        profile_id = self.rng.choice(self.others)
        with self.call(
            "GET", f"/api/v1/profiles/{profile_id}", headers=self.staff, name="profile read"
        ) as response:
            if is_server_error(response) or response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def update_profile(self) -> None:
        if not self.mine:
            return
        record = dict(self.rng.choice(self.mine))
        self.sequence += 1
        marker = f"u{self.number}-s{self.sequence}"
        record["summary"] = f"{marker} {record['summary'].split(' ', 1)[-1]}"
        if self.rng.random() < 0.5:  # sometimes a new evidence text, so that it must be embedded
            evidence = [dict(e) for e in record["evidence"]]
            evidence[0]["text"] = f"{marker} {evidence[0]['text']}"
            record["evidence"] = evidence
        with self.call(
            "PUT",
            f"/api/v1/profiles/{record['id']}",
            json=record,
            headers=self.admin,
            name="profile update",
        ) as response:
            entry = {"kind": "profile", "id": record["id"], "summary": record["summary"]}
            if not is_server_error(response) and response.status_code == 200:
                acknowledge(entry)
            else:
                acknowledge({**entry, "kind": "profile-attempt"})
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def update_shared_profile(self) -> None:
        """Every user replaces the same profile: concurrent writes to one row. The final state
        must be a write that no acknowledged write started after (see load_test)."""
        record = dict(PLAN["profiles"][0])
        self.sequence += 1
        marker = f"shared-u{self.number}-s{self.sequence}"
        record["summary"] = f"{marker} {record['summary'].split(' ', 1)[-1]}"
        evidence = [dict(e) for e in record["evidence"]]
        evidence[0]["text"] = f"{marker} {evidence[0]['text']}"
        record["evidence"] = evidence
        started = time.time()
        with self.call(
            "PUT",
            f"/api/v1/profiles/{record['id']}",
            json=record,
            headers=self.admin,
            name="shared profile update",
        ) as response:
            if not is_server_error(response) and response.status_code == 200:
                acknowledge(
                    {
                        "kind": "shared",
                        "id": record["id"],
                        "summary": record["summary"],
                        "started": started,
                        "acknowledged": time.time(),
                    }
                )
            else:
                acknowledge(
                    {
                        "kind": "shared-attempt",
                        "id": record["id"],
                        "summary": record["summary"],
                        "started": started,
                        "failed": time.time(),
                    }
                )
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def propose_introduction(self) -> None:
        with self.call(
            "POST",
            "/api/v1/introductions",
            json={
                "profile_id": self.rng.choice(self.others),
                "requester": f"load user {self.number}",
                "brief": self.rng.choice(BRIEFS),
            },
            headers=self.staff,
            name="introduction create",
            expected=409,
        ) as response:
            if response.status_code == 409 and "DuplicateIntroductionError" in response.text:
                # that profile already has an open introduction for this brief (another user's):
                # a clear refusal, the answer the service must give; nothing was written
                response.success()
            elif not is_server_error(response) and response.status_code == 201:
                intro_id = int(response.json()["id"])
                self.introductions[intro_id] = "proposed"
                acknowledge({"kind": "introduction", "id": intro_id, "status": "proposed"})
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def move_introduction(self) -> None:
        open_ids = [i for i, s in self.introductions.items() if s in NEXT_STATUS]
        if not open_ids:
            return
        intro_id = self.rng.choice(open_ids)
        new = NEXT_STATUS[self.introductions[intro_id]]
        with self.call(
            "POST",
            f"/api/v1/introductions/{intro_id}/status",
            json={"status": new, "note": f"moved by load user {self.number}"},
            headers=self.staff,
            name="introduction status",
        ) as response:
            if not is_server_error(response) and response.status_code == 200:
                self.introductions[intro_id] = new
                acknowledge({"kind": "introduction", "id": intro_id, "status": new})
            else:
                # it may have been committed: either status is allowed until the next one
                acknowledge({"kind": "introduction-attempt", "id": intro_id, "status": new})
                response.failure(f"{response.status_code}: {response.text[:200]}")
