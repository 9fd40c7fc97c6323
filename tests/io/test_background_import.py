"""Large web imports run as background tasks (django-tasks; the immediate backend in tests) with a
progress fragment that only the uploader can poll."""

import datetime as dt

import pytest
from django.core.files import File
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.io import columns as C
from dangjian.io import tasks
from dangjian.io.models import ImportJob, ImportRow
from dangjian.io.result import ImportResult, RowOutcome
from dangjian.members.models import Member
from tests.factories import make_member
from tests.io.helpers import ident, member_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(settings):
    settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS = 2  # three rows are “large”


def upload(client, path):
    with open(path, "rb") as fh:
        return client.post("/io/members/upload/", {"file": fh})


def three_rows(tmp_path):
    return write_csv(tmp_path / "big.csv", [member_row(f"党员{i}", seq=101 + i * 2) for i in range(3)])


def test_large_file_is_checked_and_written_in_the_background(cast, client, tmp_path, small_threshold,
                                                             django_capture_on_commit_callbacks):
    client.force_login(cast.secretary1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = upload(client, three_rows(tmp_path))
    job = ImportJob.objects.get()
    assert len(callbacks) == 1  # enqueued after the job row was committed
    assert r.url == f"/io/jobs/{job.pk}/"
    assert (job.status, job.total_rows, job.progress) == ("previewed", 3, 100)
    assert job.counts == {"created": 3, "updated": 0, "unchanged": 0} and job.started_at is not None
    assert Member.objects.count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and job.message == "导入完成：新增3，变更0，无变化0"
    assert Member.objects.filter(id_number=ident(seq=101)).exists() and Member.objects.count() == 7
    assert "导入：新增 3，变更 0" in client.get(f"/io/jobs/{job.pk}/").content.decode()


def test_confirm_that_finds_errors_ends_failed(cast, client, tmp_path, small_threshold,
                                              django_capture_on_commit_callbacks):
    client.force_login(cast.secretary1)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, three_rows(tmp_path))
    job = ImportJob.objects.get()
    # Between preview and confirm someone registers one of the ID numbers in another branch.
    make_member(cast.tree.b2, id_number=ident(seq=103), birth=dt.date(1990, 3, 7))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == "确认时发现1处错误（数据可能已被他人修改），未写入任何数据"
    assert job.errors[0]["row"] == 3 and "转接" in job.errors[0]["message"]
    assert not Member.objects.filter(id_number=ident(seq=101)).exists()


def test_a_crashing_job_ends_failed_with_a_message(cast, client, tmp_path, small_threshold, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    client.force_login(cast.secretary1)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, three_rows(tmp_path))
    job = ImportJob.objects.get()

    def lost_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("dangjian.io.members_import.write_members", lost_connection)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "failed" and job.message.startswith("导入出错（OperationalError）")
    assert "导入出错" in client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert Member.objects.count() == 4


def test_invalid_large_file_ends_invalid_with_every_error(cast, client, tmp_path, small_threshold,
                                                         django_capture_on_commit_callbacks):
    client.force_login(cast.secretary1)
    rows = [member_row(seq=121), member_row(seq=123, org="NOPE"), member_row(seq=125, category="党员")]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, write_csv(tmp_path / "bad.csv", rows))
    job = ImportJob.objects.get()
    assert job.status == "invalid" and [e["row"] for e in job.errors] == [3, 4]
    assert job.message == "共有2处错误"


def test_progress_fragment_polls_while_running_and_is_private(cast, client, tmp_path, small_threshold):
    client.force_login(cast.secretary1)
    upload(client, three_rows(tmp_path))  # on_commit not run: the job stays queued, as before a worker takes it
    job = ImportJob.objects.get()
    assert job.status == "queued"
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队等待检查" in page
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=57, message="正在检查第 2000 行")
    r = client.get(f"/io/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "HX-Refresh" not in r
    body = r.content.decode()
    assert 'aria-valuenow="57"' in body and "正在检查第 2000 行" in body and 'hx-trigger="every 1s"' in body
    # a queued job cannot be confirmed again while it waits
    client.post(f"/io/jobs/{job.pk}/confirm/")
    assert ImportJob.objects.get().status == "running"

    client.force_login(cast.secretary2)
    assert client.get(f"/io/jobs/{job.pk}/progress/").status_code == 404

    client.force_login(cast.secretary1)
    ImportJob.objects.filter(pk=job.pk).update(status="previewed", progress=100, finished_at=timezone.now())
    r = client.get(f"/io/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and "every 1s" not in r.content.decode()


def test_progress_reports_every_stage(cast, tmp_path, monkeypatch):
    """The reporter maps check/write onto 0–100 and writes only when the percentage moves."""
    monkeypatch.setattr("dangjian.io.members_import.CHUNK", 1)
    job = ImportJob(user=cast.secretary1, kind="members", file_name="big.csv", status="queued", total_rows=3)
    with open(three_rows(tmp_path), "rb") as fh:
        job.file.save("big.csv", File(fh))
    seen = []
    report = tasks._reporter(job)

    def spy(stage, done, total):
        report(stage, done, total)
        seen.append((stage, ImportJob.objects.get(pk=job.pk).progress))

    result = tasks.run(job, write=True, progress=spy)
    assert result.ok and result.written
    stages = [s for s, _ in seen]
    assert stages == ["check", "check", "check", "write"]  # after every chunk (of one row here), then the write
    percents = [p for _, p in seen]
    assert percents == sorted(percents) and percents[-1] == 90


def test_polling_does_not_read_the_stored_preview(cast, client):
    """The fragment is requested every second; it must not load the stored preview (its errors, its rows)."""
    job = ImportJob.objects.create(user=cast.secretary1, kind="members", file_name="big.csv", status="running",
                                   total_rows=200_000, progress=91, message="正在写入数据库")
    ImportRow.objects.bulk_create([ImportRow(job=job, row=n, kind="create", label="x") for n in range(2, 2002)])
    client.force_login(cast.secretary1)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/io/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'aria-valuenow="91"' in r.content.decode()
    job_queries = [q["sql"] for q in ctx.captured_queries if "io_import" in q["sql"]]
    assert len(job_queries) == 1 and '"errors"' not in job_queries[0] and "io_importrow" not in job_queries[0]


def test_stored_outcomes_come_back_as_they_were(cast):
    """tasks.store keeps every row's outcome in ImportRow, in file order, text as it was (on PostgreSQL by a
    hand-written COPY: tabs, newlines and backslashes escaped), and replaces an earlier preview's."""
    job = ImportJob.objects.create(user=cast.secretary1, kind="members", file_name="t.csv", status="previewed")
    result = ImportResult(kind="members", file_name="t.csv")
    odd = "王\t五\\n（1101**********0011）\n"
    result.add(RowOutcome(row=2, kind="create", label="张三（1101**********0011）"))
    result.add(RowOutcome(row=3, kind="update", label=odd, changes=[("工作岗位", "村\\民", "教\t师")]))
    result.add(RowOutcome(row=4, kind="error", label="", errors=[C.error(4, "入党日期", "2030-01-01", "不能晚于今天\\")]))
    tasks.store(job, result)
    tasks.store(job, result)  # again: replaced, not doubled
    assert list(job.outcomes.order_by("id").values_list("row", "kind", "label", "changes", "errors")) == [
        (2, "create", "张三（1101**********0011）", [], []),
        (3, "update", odd, [["工作岗位", "村\\民", "教\t师"]], []),
        (4, "error", "", [], ["入党日期（2030-01-01）：不能晚于今天\\"]),
    ]


def test_a_job_stores_outcomes_as_the_check_goes(cast, tmp_path, monkeypatch):
    """tasks.run hands the outcomes to ImportRow every ImportResult.FLUSH rows instead of keeping them all (a
    million-row file would hold a million in the worker); the job ends with every row, in file order."""
    monkeypatch.setattr(ImportResult, "FLUSH", 2)
    batches = []
    save_rows = tasks.save_rows

    def spy(job, outcomes):
        batches.append([o.row for o in outcomes])
        return save_rows(job, outcomes)

    monkeypatch.setattr(tasks, "save_rows", spy)
    rows = [member_row(f"党员{i}", seq=101 + i * 2) for i in range(4)] + [member_row("错", seq=199, org="NOPE")]
    path = write_csv(tmp_path / "f.csv", rows)
    with open(path, "rb") as fh:
        job = ImportJob.objects.create(user=cast.secretary1, kind="members", file_name="f.csv", status="queued",
                                       file=File(fh, name="f.csv"))
    ImportRow.objects.create(job=job, row=9, kind="create", label="an earlier preview's row")
    result = tasks.run(job, write=False)
    assert batches == [[2, 3], [4, 5]] and len(result.rows) == 1  # row 6 waits for the end
    tasks.finish(job, result, write=False)
    job.save()
    assert batches[-1] == [6]
    assert list(job.outcomes.order_by("id").values_list("row", "kind")) == [
        (2, "create"), (3, "create"), (4, "create"), (5, "create"), (6, "error")]
    assert job.outcome_counts == {"create": 4, "error": 1} and job.error_count == 1
