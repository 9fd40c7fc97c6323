"""Import jobs: the writes the web page and the API share (upload → preview → confirm).

A job stores the uploaded file and its preview; confirming re-reads and re-validates the same file
against the database as it is then, and writes all rows or none. Files with more than
DANGJIAN_IMPORT_SYNC_MAX_ROWS data rows are checked and written by a background task
(`tasks.run_import_job`, `dangjian db_worker`); smaller ones in the caller's request.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import tasks
from .models import ImportJob
from .readers import count_rows, suffix_of


class JobNotConfirmable(Exception):
    """Only a previewed job without errors can be confirmed, and only once."""

    message = "该导入任务不能再确认（已导入、有错误或仍在处理）"


def in_background(job: ImportJob) -> bool:
    return job.total_rows > settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS


def _enqueue(job: ImportJob, *, write: bool) -> None:
    job.status, job.progress = ImportJob.Status.QUEUED, 0
    job.message = "排队等待导入" if write else "排队等待检查"
    job.save()
    # Only once the job row is committed can a worker see it.
    transaction.on_commit(lambda: tasks.run_import_job.enqueue(job.pk, write))


def start_import(user, kind: str, uploaded, *, default_org=None) -> ImportJob:
    """Store `uploaded` (a Django UploadedFile already checked for type and size) as a new job of
    `user` and preview it: every row's outcome, nothing written. Large files are queued."""
    job = ImportJob(user=user, kind=kind, file_name=Path(uploaded.name).name[:200], default_org=default_org,
                    status=ImportJob.Status.PREVIEWED)
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}{suffix_of(uploaded.name)}", uploaded, save=False)
    job.total_rows = count_rows(job.file.path, job.file_name)
    if in_background(job):
        _enqueue(job, write=False)
    else:
        with transaction.atomic():  # the job and its stored rows (ImportRow needs the job's key) together
            job.save()
            tasks.finish(job, tasks.run(job, write=False), write=False)
            job.save()
    return job


def confirm_import(job: ImportJob) -> ImportJob:
    """Write a previewed job (queued when large). The importer re-validates the file first and writes
    every row or none, recording the import in each member's history and in the event log."""
    if job.status != ImportJob.Status.PREVIEWED:
        raise JobNotConfirmable
    if in_background(job):
        _enqueue(job, write=True)
        return job
    tasks.finish(job, tasks.run(job, write=True), write=True)
    job.save()
    return job
