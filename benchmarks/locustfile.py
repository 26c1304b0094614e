"""Locust users for ``make load-test`` (driven by :mod:`benchmarks.load_test`).

Each user searches, reads profiles, replaces whole profiles and moves introductions along. A user
owns its own profiles and introductions, and writes each of them one request at a time, so the
last write it saw acknowledged (2xx) is the state the catalogue must hold at the end; one more
profile is replaced by every user concurrently. Every acknowledged write is appended to the log
named by ``KE_LOAD_ACK_LOG``.

Environment: ``KE_LOAD_PLAN`` (JSON file: admin and staff keys, profile records, users),
``KE_LOAD_ACK_LOG`` (JSON Lines written here).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["KE_LOAD_PLAN"]).read_text())
ACK_LOG = Path(os.environ["KE_LOAD_ACK_LOG"])
NEXT_USER = itertools.count()
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

    @task(6)
    def search(self) -> None:
        with self.client.post(
            "/api/v1/search",
            json={"text": self.rng.choice(BRIEFS), "top": 5},
            headers=self.staff,
            name="search",
            catch_response=True,
        ) as response:
            if is_server_error(response) or response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def read_profile(self) -> None:
        profile_id = self.rng.choice(self.others)
        with self.client.get(
            f"/api/v1/profiles/{profile_id}",
            headers=self.staff,
            name="profile read",
            catch_response=True,
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
        with self.client.put(
            f"/api/v1/profiles/{record['id']}",
            json=record,
            headers=self.admin,
            name="profile update",
            catch_response=True,
        ) as response:
            if not is_server_error(response) and response.status_code == 200:
                acknowledge({"kind": "profile", "id": record["id"], "summary": record["summary"]})
            else:
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
        with self.client.put(
            f"/api/v1/profiles/{record['id']}",
            json=record,
            headers=self.admin,
            name="shared profile update",
            catch_response=True,
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
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def propose_introduction(self) -> None:
        with self.client.post(
            "/api/v1/introductions",
            json={
                "profile_id": self.rng.choice(self.others),
                "requester": f"load user {self.number}",
                "brief": self.rng.choice(BRIEFS),
            },
            headers=self.staff,
            name="introduction create",
            catch_response=True,
        ) as response:
            if not is_server_error(response) and response.status_code == 201:
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
        with self.client.post(
            f"/api/v1/introductions/{intro_id}/status",
            json={"status": new, "note": f"moved by load user {self.number}"},
            headers=self.staff,
            name="introduction status",
            catch_response=True,
        ) as response:
            if not is_server_error(response) and response.status_code == 200:
                self.introductions[intro_id] = new
                acknowledge({"kind": "introduction", "id": intro_id, "status": new})
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
