"""A member list longer than DANGJIAN_EXPORT_SYNC_MAX_ROWS is exported by a background task (the immediate backend
in tests): the button leads to the job's page, which gives the file once written; the job is its user's alone, and
the export is logged as a direct one is."""

import io

import pytest
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from dangjian.io.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(settings):
    settings.DANGJIAN_EXPORT_SYNC_MAX_ROWS = 2  # the county's three members are a “long” list


def test_a_long_list_is_exported_in_the_background(cast, client, small_threshold, django_capture_on_commit_callbacks):
    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = client.get("/io/members/export/", {"org": "CA1", "format": "xlsx", "sheets": "branch"})
    job = ExportJob.objects.get()
    assert len(callbacks) == 1 and r.status_code == 302 and r.url == f"/io/exports/{job.pk}/"
    assert (job.status, job.fmt, job.total_rows, job.rows) == ("done", "xlsx", 3, 3)
    assert job.params == {"org": "CA1", "format": "xlsx", "sheets": "branch"}
    page = client.get(r.url).content.decode()
    assert "导出 3 名党员" in page and f"/io/exports/{job.pk}/download/" in page
    d = client.get(f"/io/exports/{job.pk}/download/")
    assert d.status_code == 200 and "%EF%BC%88%E6%8C%89%E6%94%AF%E9%83%A8%EF%BC%89" in d["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(d.streaming_content)))
    assert book.sheet_names == ["城关镇东村党支部", "城关镇西村党支部"]
    event = Event.objects.get(verb="member.export")
    assert event.actor == cast.county_admin and event.detail["rows"] == 3 and event.detail["background"] is True
    # listed on the import/export page
    assert f"/io/exports/{job.pk}/" in client.get("/io/").content.decode()


def test_the_job_is_its_users_alone_and_a_short_list_stays_direct(cast, client, small_threshold,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/io/members/export/", {"format": "csv"})
    job = ExportJob.objects.get()
    client.force_login(cast.city_admin)
    for url in (f"/io/exports/{job.pk}/", f"/io/exports/{job.pk}/download/", f"/io/exports/{job.pk}/progress/"):
        assert client.get(url).status_code == 404
    client.force_login(cast.secretary1)  # a branch of two members: the file at once
    r = client.get("/io/members/export/", {"format": "csv"})
    assert r.status_code == 200 and ExportJob.objects.count() == 1


def test_a_queued_job_shows_its_progress_and_a_failed_one_why(cast, client, small_threshold,
                                                              django_capture_on_commit_callbacks, monkeypatch):
    from dangjian.io import export, tasks

    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=False):  # not run yet: queued
        r = client.get("/io/members/export/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    page = client.get(r.url).content.decode()
    assert "排队中" in page and f"/io/exports/{job.pk}/progress/" in page
    assert client.get(f"/io/exports/{job.pk}/download/").status_code == 404  # nothing to download yet
    monkeypatch.setattr(export, "MAX_BRANCH_SHEETS", 1)
    job.params = {"format": "xlsx", "sheets": "branch"}
    job.save()
    assert tasks.run_export_job.call(job.pk) == "failed"
    job.refresh_from_db()
    assert "按支部分工作表最多1个" in job.message and job.message in client.get(r.url).content.decode()
    progress = client.get(f"/io/exports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"


def test_files_of_old_exports_are_deleted(cast, client, small_threshold, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from dangjian.io import tasks

    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/io/members/export/", {"format": "csv"})
    old = ExportJob.objects.get()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):  # the next export clears the user's old files
        client.get("/io/members/export/", {"format": "xlsx"})
    old.refresh_from_db()
    assert not old.file and not __import__("os").path.exists(path) and "导出7天后删除" in old.message
    assert client.get(f"/io/exports/{old.pk}/download/").status_code == 404
    assert "如需要请重新导出" in client.get(f"/io/exports/{old.pk}/").content.decode()
    assert tasks.expire_exports(cast.county_admin) == 0
    # and without another export: opening the job or its download deletes a file past its days first
    newer = ExportJob.objects.exclude(pk=old.pk).get()
    ExportJob.objects.filter(pk=newer.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert client.get(f"/io/exports/{newer.pk}/download/").status_code == 404
    newer.refresh_from_db()
    assert not newer.file and "导出7天后删除" in newer.message


def test_an_export_run_after_the_users_scope_shrank_exports_nothing(cast, client, small_threshold,
                                                                    django_capture_on_commit_callbacks):
    from dangjian.io import tasks

    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=False):
        client.get("/io/members/export/", {"org": "CA1", "format": "csv"})
    job = ExportJob.objects.get()
    cast.county_admin.grants.all().delete()  # the admin's grant withdrawn before the worker runs
    assert tasks.run_export_job.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.message == "该党组织已不在您的查看范围内，未导出" and not job.file
    assert not Event.objects.filter(verb="member.export").exists()
