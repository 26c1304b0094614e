"""The bookkeeping behind the issue-21 reliability checks, on made-up numbers (no Ray, no
server): a kill of ``build --ray`` outside its embedding phase is refused, a rerun that embeds a
text again is caught, the replica test tells the killed replica's failures from others, and a
write that failed when its replica died may be the final state until the next acknowledged one."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from benchmarks.load_test import check_final_state
from benchmarks.ray_crash import (
    EmbedKill,
    RayTrialResult,
    embedded_again,
    rerun_problems,
    trials_outside_the_phase,
)
from benchmarks.replica_load import Timeline, classify

MISSING = 1560


def _trial(number: int, embed: EmbedKill, **fields: int) -> RayTrialResult:
    result = RayTrialResult(number, "ray-driver", 0, embed.at, embed.as_kill(-9), embed=embed)
    for name, value in fields.items():
        setattr(result, name, value)
    return result


def test_a_kill_counts_only_inside_the_embedding_phase() -> None:
    inside = EmbedKill(MISSING, written_before=512, written_after=768, hit=True, at=40.0)
    assert inside.phase == "embedding" and inside.killed_embedding
    assert inside.as_kill(-9).killed_writing
    # nothing written yet: Ray was starting, the actors loading their model
    before = EmbedKill(MISSING, written_before=0, written_after=0, hit=True, at=5.0)
    # everything written by the time of the signal (or once the killed driver had stopped):
    # the build was past its embedding phase
    after = EmbedKill(MISSING, written_before=1280, written_after=MISSING, hit=True, at=90.0)
    # the process aimed at was gone (no actor found, or the driver had exited)
    missed = EmbedKill(MISSING, written_before=512, written_after=512, hit=False, at=40.0)
    for kill, phase in ((before, "before"), (after, "after"), (missed, "missed")):
        assert kill.phase == phase
        assert not kill.killed_embedding
        assert not kill.as_kill(-9).killed_writing
    results = [_trial(0, inside), _trial(1, before), _trial(2, after), _trial(3, missed)]
    assert trials_outside_the_phase(results) == [1, 2, 3]
    assert trials_outside_the_phase(results[:1]) == []


def test_a_rerun_must_embed_exactly_what_was_missing_and_rewrite_nothing() -> None:
    kill = EmbedKill(MISSING, written_before=512, written_after=768, hit=True, at=40.0)
    good = _trial(0, kill, rerun_missing=792, rerun_embedded=792, rerun_local=0, rerun_added=792)
    assert rerun_problems(good) == []
    assert embedded_again(good) == 0
    # the rerun embedded everything again (the cache was not consulted)
    again = _trial(1, kill, rerun_missing=792, rerun_embedded=MISSING, rerun_local=0)
    again.rerun_added = 792
    assert any("embedded 1560 texts, 792 were missing" in p for p in rerun_problems(again))
    assert embedded_again(again) == MISSING - 792
    # rows written before the rerun changed, the local pass embedded, the report line missing
    rewritten = _trial(2, kill, rerun_missing=0, rerun_embedded=0, rerun_local=3, rewritten=5)
    problems = rerun_problems(rewritten)
    assert any("changed 5 cache rows" in p for p in problems)
    assert any("local pass" in p for p in problems)
    silent = _trial(3, kill, rerun_missing=0, rerun_embedded=-1, rerun_local=-1)
    assert len(rerun_problems(silent)) == 2


def test_the_replica_test_counts_the_killed_replicas_failures_apart() -> None:
    timeline = Timeline(killed=100.0, ready=130.0, killed_running=True)

    def request(replica: int, started: float, ended: float, status: int) -> dict[str, object]:
        return {"replica": replica, "started": started, "ended": ended, "status": status}

    entries = [
        request(0, 99.0, 99.5, 200),
        request(0, 101.0, 101.2, 200),
        request(1, 99.8, 100.1, 0),  # in flight at the kill
        request(1, 105.0, 105.0, 0),  # sent while it was down
        request(1, 131.0, 131.1, 200),  # after the restart
        request(1, 50.0, 50.2, 500),  # a failure the kill does not explain
        request(0, 110.0, 110.1, 0),  # the survivor failed: never allowed
    ]
    survivor, killed = classify(entries, victim=1, timeline=timeline)
    assert (survivor.requests, survivor.failed, survivor.other_failures) == (3, 1, 1)
    assert (killed.requests, killed.failed) == (4, 3)
    assert (killed.in_flight, killed.while_down, killed.other_failures) == (1, 1, 1)
    # a status its task expected (a duplicate introduction's 409) is no failure; no answer is one
    refused = {**request(0, 120.0, 120.1, 409), "failed": False}
    unanswered = {**request(0, 121.0, 121.1, 0), "failed": True}
    survivor, _ = classify([*entries, refused, unanswered], victim=1, timeline=timeline)
    assert (survivor.requests, survivor.failed) == (5, 2)


def _client(summaries: dict[str, str], statuses: dict[int, str]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        kind, key = request.url.path.split("/")[-2:]
        if kind == "profiles":
            return httpx.Response(200, json={"summary": summaries[key]})
        return httpx.Response(200, json={"status": statuses[int(key)]})

    return httpx.Client(base_url="http://replica", transport=httpx.MockTransport(answer))


def test_a_failed_write_may_be_the_final_state_only_until_the_next_acknowledged_one(
    tmp_path: Path,
) -> None:
    log = tmp_path / "acknowledged.jsonl"
    entries = [
        {"kind": "profile", "id": "p1", "summary": "s1"},
        {"kind": "profile-attempt", "id": "p1", "summary": "s2"},  # in flight at a kill
        {"kind": "profile", "id": "p2", "summary": "t1"},
        {"kind": "profile-attempt", "id": "p2", "summary": "t2"},
        {"kind": "profile", "id": "p2", "summary": "t3"},  # acknowledged after the failure
        {"kind": "introduction", "id": 7, "status": "proposed"},
        {"kind": "introduction-attempt", "id": 7, "status": "contacted"},
    ]
    log.write_text("".join(json.dumps(e) + "\n" for e in entries))
    # the failed write was committed before its server died: allowed
    count, lost = check_final_state(_client({"p1": "s2", "p2": "t3"}, {7: "contacted"}), log)
    assert (count, lost) == (4, [])
    count, lost = check_final_state(_client({"p1": "s1", "p2": "t3"}, {7: "proposed"}), log)
    assert lost == []
    # an acknowledged write came after the failed one: the failed one may not be the final state
    _, lost = check_final_state(_client({"p1": "s1", "p2": "t2"}, {7: "proposed"}), log)
    assert len(lost) == 1 and "p2" in lost[0]
