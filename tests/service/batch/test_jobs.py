"""Batch jobs as the API and the batch page show them: withdrawn reports, errors without server
paths, progress that refreshes itself while a job runs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from matcher.model import Role
from service.batch.jobs import withdraw_reports
from service.container import Container
from tests.service.http.test_security import browser_session

CALL = Path(__file__).parents[2] / "data" / "call.csv"


def test_a_withdrawn_job_says_so_and_its_report_links_answer_a_page(loaded: Container) -> None:
    web, _csrf = browser_session(loaded, Role.KE_STAFF)
    _key, secret = loaded.accounts.create_key(name="broker", role=Role.KE_STAFF)
    with web, TestClient(web.app, headers={"authorization": f"Bearer {secret}"}) as api:
        job = api.post("/api/v1/batches", files={"file": ("call.csv", CALL.read_bytes())}).json()
        web.app.state.jobs.wait()  # type: ignore[attr-defined]
        assert api.get(f"/api/v1/batches/{job['id']}").json()["status"] == "done"
        page = web.get("/batches").text
        assert f'href="/batches/{job["id"]}/report?format=html"' in page
        served = web.get(f"/batches/{job['id']}/report?format=html")
        assert served.status_code == 200 and "Batch matching report" in served.text

        assert withdraw_reports(loaded.settings.batches_dir, "acad-falls", name="") == [job["id"]]

        status = api.get(f"/api/v1/batches/{job['id']}").json()
        assert status["status"] == "withdrawn" and status["reports"] == {}
        assert "a profile these reports named was erased" in status["error"]
        page = web.get("/batches").text
        assert "withdrawn: reports withdrawn: a profile these reports named was erased" in page
        assert f"/batches/{job['id']}/report" not in page  # no dead links
        for kind in ("html", "csv", "xlsx"):
            gone = web.get(f"/batches/{job['id']}/report?format={kind}")
            assert gone.status_code == 410
            assert gone.headers["content-type"].startswith("text/html")
            assert "Report withdrawn" in gone.text and "run the call again" in gone.text
        answer = api.get(f"/api/v1/batches/{job['id']}/report?format=csv")
        assert answer.status_code == 409 and "withdrawn" in answer.json()["message"]


def test_job_errors_name_the_upload_not_the_server_path(loaded: Container) -> None:
    web, _csrf = browser_session(loaded, Role.KE_STAFF)
    _key, secret = loaded.accounts.create_key(name="broker", role=Role.KE_STAFF)
    root = str(loaded.settings.batches_dir)
    with web, TestClient(web.app, headers={"authorization": f"Bearer {secret}"}) as api:
        broken = api.post(
            "/api/v1/batches", files={"file": ("broken.csv", b"id,words\nr1,falls\n")}
        ).json()
        partly = api.post("/api/v1/batches", files={"file": ("rows.csv", CALL.read_bytes())})
        web.app.state.jobs.wait()  # type: ignore[attr-defined]
        failed = api.get(f"/api/v1/batches/{broken['id']}").json()
        assert failed["status"] == "failed"
        assert failed["error"] == "broken.csv: the header lacks the column(s) text"
        done = api.get(f"/api/v1/batches/{partly.json()['id']}").json()
        assert done["summary"]["rows_rejected"][0].startswith("rows.csv:5: ")
        page = web.get("/batches").text
        assert "broken.csv: the header lacks the column(s) text" in page
        listed = api.get("/api/v1/batches").text
        report = api.get(f"/api/v1/batches/{partly.json()['id']}/report?format=csv").text
        for text in (page, listed, report):
            assert root not in text


def test_the_batch_page_refreshes_only_while_a_job_runs(loaded: Container) -> None:
    from service.batch.jobs import Job

    web, _csrf = browser_session(loaded, Role.KE_STAFF)
    with web:
        web.get("/batches")  # the job runner starts on first use
        jobs = web.app.state.jobs  # type: ignore[attr-defined]
        idle = web.get("/batches").text
        assert 'http-equiv="refresh"' not in idle and "data-poll" not in idle
        jobs._jobs["job_0000000000aa"] = Job(
            id="job_0000000000aa",
            filename="call.csv",
            created_by="broker",
            created_at="2030-01-01T00:00:00+00:00",
            status="running",
            done=1,
            total=3,
        )
        running = web.get("/batches").text
        # without JavaScript a meta refresh; with it, app.js polls the jobs table
        assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in running
        assert 'id="jobs" data-poll="/batches"' in running and "1 / 3" in running
        assert "dataset.poll" in web.get("/static/app.js").text
