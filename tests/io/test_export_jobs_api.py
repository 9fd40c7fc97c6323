"""POST /api/v1/exports/: the member roster of GET members/export/, written by the background task (the immediate
backend in tests) for lists too long for one request; polled at exports/{id}/, downloaded from exports/{id}/file/.
The job is its user's alone; the file is masked and the export logged as a direct one is."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from dangjian.io.models import ExportJob
from tests.factories import token_client as api

pytestmark = pytest.mark.django_db


def _queue(client, callbacks, data=None, *, path="/api/v1/exports/", **kwargs):
    with callbacks(execute=True):
        return client.post(path, data, **kwargs)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_background_export_is_queued_polled_and_downloaded(cast, django_capture_on_commit_callbacks):
    c = api(cast.county_admin)
    r = _queue(c, django_capture_on_commit_callbacks, {"org": "CA1", "format": "xlsx", "sheets": "branch"},
               format="json")
    assert r.status_code == 202
    job = ExportJob.objects.get()
    assert r["Location"].endswith(f"/api/v1/exports/{job.pk}/")
    assert (r.json()["format"], r.json()["total_rows"]) == ("xlsx", 3)
    detail = c.get(f"/api/v1/exports/{job.pk}/").json()
    assert (detail["status"], detail["status_label"], detail["progress"], detail["rows"]) == ("done", "已完成", 100, 3)
    assert detail["params"] == {"org": "CA1", "format": "xlsx", "sheets": "branch"}
    assert detail["file"].endswith(f"/api/v1/exports/{job.pk}/file/")
    f = c.get(detail["file"])
    assert f.status_code == 200 and f["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(f.streaming_content)))
    assert book.sheet_names == ["城关镇东村党支部", "城关镇西村党支部"]
    event = Event.objects.get(verb="member.export")
    assert event.actor == cast.county_admin and event.detail["source"] == "api"
    assert event.detail["background"] is True and event.detail["rows"] == 3
    assert [j["id"] for j in c.get("/api/v1/exports/").json()["results"]] == [job.pk]


def test_filters_from_the_query_string_and_numbers_masked_outside_the_sensitive_scope(
        cast, django_capture_on_commit_callbacks):
    c = api(cast.viewer)  # sees the county, not its members' full numbers
    r = _queue(c, django_capture_on_commit_callbacks, path="/api/v1/exports/?org=CA1B1&format=csv")
    assert r.status_code == 202
    job = ExportJob.objects.get()
    rows = _csv(c.get(f"/api/v1/exports/{job.pk}/file/"))
    assert len(rows) == 3 and "*" in rows[1][rows[0].index("公民身份号码")]
    assert {row[0] for row in rows[1:]} == {"张伟", "李娜"}


def test_a_bad_request_queues_nothing(cast, django_capture_on_commit_callbacks):
    c = api(cast.county_admin)
    r = _queue(c, django_capture_on_commit_callbacks, {"format": "pdf"}, format="json")
    assert r.status_code == 400 and r.json() == {"detail": "导出格式应为 xlsx 或 csv"}
    r = _queue(c, django_capture_on_commit_callbacks, {"format": "csv", "sheets": "branch"}, format="json")
    assert r.status_code == 400 and "xlsx" in r.json()["detail"]
    r = _queue(c, django_capture_on_commit_callbacks, {"org": "CB01"}, format="json")  # outside the county
    assert r.status_code == 404  # as GET members/?org= outside the scope answers
    assert not ExportJob.objects.exists()
    assert api().post("/api/v1/exports/", {}, format="json").status_code == 401


def test_the_job_is_its_users_alone(cast, django_capture_on_commit_callbacks):
    _queue(api(cast.county_admin), django_capture_on_commit_callbacks, {"format": "csv"}, format="json")
    job = ExportJob.objects.get()
    other = api(cast.city_admin)
    for url in (f"/api/v1/exports/{job.pk}/", f"/api/v1/exports/{job.pk}/file/"):
        assert other.get(url).status_code == 404
    assert other.get("/api/v1/exports/").json()["results"] == []


def test_no_file_before_it_is_written_nor_after_it_is_deleted(cast, django_capture_on_commit_callbacks):
    c = api(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=False):  # queued, not run
        r = c.post("/api/v1/exports/", {"format": "csv"}, format="json")
    job = ExportJob.objects.get()
    assert (r.json()["status"], r.json()["file"]) == ("queued", None)
    assert c.get(f"/api/v1/exports/{job.pk}/file/").status_code == 404
    from dangjian.io import tasks

    tasks.run_export_job.call(job.pk)
    assert c.get(f"/api/v1/exports/{job.pk}/file/").status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    detail = c.get(f"/api/v1/exports/{job.pk}/").json()
    assert (detail["file"], detail["message"]) == (None, "文件已于导出7天后删除")
    assert c.get(f"/api/v1/exports/{job.pk}/file/").status_code == 404
