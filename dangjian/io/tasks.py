"""Running an import job: directly in the request for small files, as a django-tasks background task
(`dangjian db_worker`) for large ones.

Either way the same importer runs against the stored file. In the background the job row carries
the progress: the check phase (reading and validating every row, no transaction open) updates it
every CHUNK rows in autocommit, so the job page sees it at once; the write phase is one transaction
(all or nothing), which cannot report from inside, so it shows “正在写入” until it commits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from .members_import import copy_text, import_members
from .models import ExportJob, ImportJob, ImportRow
from .orgs_import import import_orgs

log = logging.getLogger(__name__)

# How the stages share the progress bar: checking (the file is read and checked in one streamed pass,
# chunk by chunk) 0–90 %, writing 90–100 %. "read" is kept for importers that read before checking.
_STAGES = {"read": (0, 40, "正在读取第 {done} 行"), "check": (0, 90, "正在检查第 {done} 行"),
           "write": (90, 99, "正在写入数据库（共 {total} 行，全部成功或全部不写入）")}


def run(job: ImportJob, *, write: bool, progress=None):
    """The importer for this job: a preview (`write=False`) or the real import, as the job's uploader."""
    user = job.user
    if job.kind == ImportJob.Kind.MEMBERS:
        # Every row's outcome goes to ImportRow as the check goes (a chunk at a time), not held to the end:
        # a million-row file would hold a million outcomes in the worker.
        ImportRow.objects.filter(job=job).delete()
        return import_members(job.file.path, file_name=job.file_name,
                              default_org=job.default_org.code if job.default_org else None,
                              user=user, by=user, dry_run=not write, source="web", progress=progress,
                              sink=lambda outcomes: save_rows(job, outcomes))
    return import_orgs(job.file.path, file_name=job.file_name, user=user, by=user, dry_run=not write, source="web",
                       progress=progress)


STORE_BATCH = 2000  # ImportRow objects built and inserted at a time (memory stays flat for big previews)


def store(job: ImportJob, result) -> None:
    """The counts and errors on the job (the caller saves it), every row's outcome in ImportRow in file order
    (the rest of what `run` streamed there, or all of them, replacing an earlier preview's)."""
    job.counts = result.counts()
    job.errors = result.errors
    job.error_count = len(result.errors)
    job.outcome_counts = dict(result.tally)
    job.sheets = result.sheets
    job.branches = result.branch_counts()
    if result.sink is not None:
        result.flush()
        return
    ImportRow.objects.filter(job=job).delete()
    save_rows(job, result.rows)


def save_rows(job: ImportJob, rows: list) -> None:
    """Outcomes (RowOutcome) appended to the job's ImportRow, in the order given."""
    if connection.vendor == "postgresql":
        _copy_rows(job, rows)
        return
    for i in range(0, len(rows), STORE_BATCH):
        ImportRow.objects.bulk_create([
            ImportRow(job=job, row=r.row, kind=r.kind, label=r.label[:300], changes=r.changes, errors=r.notes(),
                      sheet=r.sheet[:100], org_code=r.org.code if r.org is not None else "")
            for r in rows[i:i + STORE_BATCH]])


def _copy_rows(job: ImportJob, rows) -> None:
    """PostgreSQL: the outcomes by one COPY in hand-made text (a 200,000-row preview in well under a second;
    bulk_create took several)."""
    def json_text(value: list) -> str:
        return copy_text(json.dumps(value, ensure_ascii=False)) if value else "[]"

    prefix = f"{job.pk}\t"
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {ImportRow._meta.db_table} (job_id, row, kind, label, changes, errors, sheet, org_code) FROM STDIN") as copy:
        for i in range(0, len(rows), STORE_BATCH):
            copy.write("".join([f"{prefix}{r.row}\t{r.kind}\t{copy_text(r.label[:300])}\t{json_text(r.changes)}\t"
                                f"{json_text(r.notes())}\t{copy_text(r.sheet[:100])}\t{copy_text(r.org.code) if r.org is not None else ''}\n"
                                for r in rows[i:i + STORE_BATCH]]))



def finish(job: ImportJob, result, *, write: bool) -> None:
    """Status after a preview or an import (the caller saves)."""
    store(job, result)
    job.progress = 100
    if not write:
        job.status = ImportJob.Status.PREVIEWED if result.ok else ImportJob.Status.INVALID
        job.message = "" if result.ok else f"共有{len(result.errors)}处错误"
        return
    job.finished_at = timezone.now()
    if result.ok:
        c = result.counts()
        job.status = ImportJob.Status.DONE
        job.message = f"导入完成：新增{c['created']}，变更{c['updated']}，无变化{c['unchanged']}"
    else:
        job.status = ImportJob.Status.FAILED
        job.message = f"确认时发现{len(result.errors)}处错误（数据可能已被他人修改），未写入任何数据"


def _reporter(job: ImportJob):
    last = {"percent": -1}

    def report(stage: str, done: int, total: int | None) -> None:
        lo, hi, text = _STAGES[stage]
        total_ = total if total is not None else job.total_rows
        percent = lo + (hi - lo) * min(done, total_) // total_ if total_ else lo
        if percent == last["percent"] and stage != "write":
            return  # one UPDATE per visible step, not per chunk
        last["percent"] = percent
        ImportJob.objects.filter(pk=job.pk).update(progress=percent, message=text.format(done=done, total=total_))

    return report


@task()
def run_import_job(job_id: int, write: bool) -> str:
    """Preview (`write=False`) or import a queued job in the background."""
    job = ImportJob.objects.select_related("user", "default_org").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # already run (a task delivered twice does nothing)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now(),
                                               progress=0, message="开始处理")
    try:
        result = run(job, write=write, progress=_reporter(job))
    except Exception as e:
        # The import's transaction rolled back; say so on the job instead of leaving it “running”.
        log.exception("import job %s failed", job.pk)
        job.refresh_from_db(fields=["counts", "errors", "error_count"])
        # the rows streamed before the failure, whatever an earlier preview counted
        job.outcome_counts = dict(job.outcomes.order_by().values_list("kind").annotate(n=Count("id")))
        job.branches = []  # an earlier preview's, which the rows now shown no longer are
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.message = f"导入出错（{type(e).__name__}），未写入任何数据，请重试或联系管理员"[:200]
        job.save(update_fields=["status", "finished_at", "message", "outcome_counts", "branches"])
        return job.status
    finish(job, result, write=write)
    job.save(update_fields=["counts", "errors", "error_count", "outcome_counts", "sheets", "branches", "status",
                            "progress", "message", "finished_at"])
    return job.status


@task()
def run_export_job(job_id: int) -> str:
    """Write a queued member list export (`exports`: the list the user sees now, masked and logged as a direct
    export) into the job's file."""
    import tempfile
    from pathlib import Path

    from django.core.files import File

    from . import exports

    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job.status  # already run (a task delivered twice does nothing)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, message="正在导出")

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows=rows, message=f"已写出 {rows} 行")

    try:
        export = exports.plan(job.user, job.params, source=job.source)
        export.detail["background"] = True
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            path = Path(tmp) / f"export.{job.fmt}"
            rows = exports.write(job.user, export, path, progress=progress)
            with open(path, "rb") as f:
                job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.pk}.{job.fmt}", File(f), save=False)
        job.rows, job.status, job.message = rows, ExportJob.Status.DONE, f"已导出 {rows} 行"
    except exports.ExportError as e:
        job.status, job.message = ExportJob.Status.FAILED, str(e)[:200]
    except Http404:  # the organization left the user's scope between the request and the run
        job.status, job.message = ExportJob.Status.FAILED, "该党组织已不在您的查看范围内，未导出"
    except Exception as e:
        log.exception("export job %s failed", job.pk)
        job.status, job.message = ExportJob.Status.FAILED, f"导出出错（{type(e).__name__}），请重试或联系管理员"[:200]
    job.finished_at = timezone.now()
    job.save(update_fields=["rows", "status", "message", "file", "finished_at"])
    expire_exports(job.user)
    return job.status


EXPORT_KEPT_DAYS = 7  # a written export's file is kept this long: it holds members' personal data


def exports_of(user):
    """`user`'s export jobs (nobody else's: another user's answers 404), newest first; the files past their
    EXPORT_KEPT_DAYS deleted before any is shown or downloaded."""
    expire_exports(user)
    return ExportJob.objects.filter(user=user)


def expire_exports(user) -> int:
    """Delete the files of `user`'s exports written more than EXPORT_KEPT_DAYS ago (the jobs stay, saying so)."""
    old = ExportJob.objects.filter(user=user, finished_at__lt=timezone.now() - dt.timedelta(days=EXPORT_KEPT_DAYS)
                                   ).exclude(file="")
    n = 0
    for job in old:
        job.file.delete(save=False)
        job.message = f"文件已于导出{EXPORT_KEPT_DAYS}天后删除"
        job.save(update_fields=["file", "message"])
        n += 1
    return n
