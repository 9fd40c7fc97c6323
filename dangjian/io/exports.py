"""The member roster export as the member list's button, the API and the background job share it: what to export
(`plan`: the list the user sees with these filters) and the writing of it (`write`: numbers masked where the user
may not see them in full, the export logged with its rows and how many were masked).

A list longer than DANGJIAN_EXPORT_SYNC_MAX_ROWS is written by a background task (`tasks.run_export_job`) from the
web page, so that a province's export does not run into the web server's timeout. The API writes in its request
(GET members/export/) or, asked to, in the background (POST exports/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.members.choices import AGE_BANDS, Category, Education, Gender, Status
from dangjian.members.queries import (
    FILTER_PARAMS,
    PHONE_FILTERS,
    FilterError,
    MemberFilter,
    counted_total,
    member_list,
    parse_filter,
)
from dangjian.orgs.models import Org
from dangjian.orgs.queries import sole_scope_root

from . import export as exporter


class ExportError(ValueError):
    """A bad format or filter of an export request (a Chinese message)."""


@dataclass
class MemberExport:
    fmt: str
    name: str  # the download's name, without its extension
    qs: object
    org: Org | None
    by_branch: bool
    detail: dict = field(default_factory=dict)  # what the event log records of the request
    total: Callable[[], int] = lambda: 0  # the list's length (the list page's count)


def format_of(params) -> str:
    fmt = params.get("format", "xlsx")
    if fmt not in exporter.FORMATS:
        raise ExportError("导出格式应为 xlsx 或 csv")
    return fmt


def plan(user, params, *, source: str) -> MemberExport:
    """Exactly the member list `user` sees with these filters (`params`: the list's query string)."""
    fmt = format_of(params)
    try:
        f = parse_filter(user, params)
    except FilterError as e:
        raise ExportError(str(e)) from None
    qs = member_list(user, f)
    used = {k: params.get(k) for k in FILTER_PARAMS if params.get(k)}
    org = f.org or sole_scope_root(user)
    words = filter_words(f)
    name = f"{org.name if org else '党员'}名册{'（' + '，'.join(words) + '）' if words else ''}{timezone.localdate():%Y%m%d}"
    by_branch = params.get("sheets") == "branch"
    if by_branch and fmt != "xlsx":
        raise ExportError(exporter.BY_BRANCH_XLSX_ONLY)  # said before a job is queued for it
    if by_branch:
        name += "（按支部）"
        used["sheets"] = "branch"
    return MemberExport(fmt=fmt, name=name, qs=qs, org=f.org, by_branch=by_branch,
                        detail={"source": source, "filter": used}, total=lambda: counted_total(user, f, qs))


_AGE_LABELS = {key: label for key, label, _lo, _hi in AGE_BANDS}
_NOT_IN_NAMES = str.maketrans("", "", '\\/:*?"<>|')  # what Windows refuses in a file name


def filter_words(f: MemberFilter) -> list[str]:
    """The list's filters in words, for the file's name: a 预备党员 export is not taken for the whole roster when
    several lie in one folder (党员名册（预备党员，女）20261206.xlsx)."""
    words = [str(choices(v).label) for v, choices in ((f.category, Category), (f.gender, Gender),
                                                      (f.education, Education)) if v]
    if f.age:
        words.append(_AGE_LABELS[f.age])
    if f.ethnicity:
        words.append("少数民族" if f.ethnicity == "少数民族" else f.ethnicity)
    if f.joined_year:
        words.append(f"{f.joined_year}年入党")
    if f.phone:
        words.append(PHONE_FILTERS[f.phone])
    if f.q:
        words.append(f"搜索“{f.q.translate(_NOT_IN_NAMES)[:20]}”")
    if f.status != Status.NORMAL:
        words.append(str(Status(f.status).label) if f.status else "全部党籍状态")
    if f.as_of:
        words.append(f"截至{f.as_of:%Y-%m-%d}")
    return words


def write(user, export: MemberExport, path, *, progress: Callable[[int], None] | None = None) -> int:
    """The list into `path`; the rows written. `progress(rows)` is called every PROGRESS_EVERY rows."""

    def rows_written(rows):
        for n, row in enumerate(rows, start=1):
            if n % PROGRESS_EVERY == 0:
                progress(n)
            yield row

    try:
        return write_with(user, lambda p, full: exporter.export_to_path(
            export.qs, p, full=full, by_branch=export.by_branch,
            watch=rows_written if progress is not None else None), path, fmt=export.fmt, org=export.org,
            detail=export.detail)
    except ValueError as e:  # too many branches for a sheet each
        raise ExportError(str(e)) from None


PROGRESS_EVERY = 20_000


def queue(user, export: MemberExport, params, *, source: str):
    """A background job for `export` (planned from `params`, the list's filters), written by
    `tasks.run_export_job` once this transaction commits."""
    from django.db import transaction

    from . import tasks
    from .models import ExportJob

    job = ExportJob.objects.create(user=user, name=export.name[:200], fmt=export.fmt, source=source,
                                   params={k: str(v) for k, v in params.items()}, total_rows=export.total())
    transaction.on_commit(lambda: tasks.run_export_job.enqueue(job.pk))
    return job


def write_with(user, fill: Callable, path, *, fmt: str, org: Org | None, detail: dict) -> int:
    """`fill(path, full)` writes the file; ID and phone numbers are shown in full only where `full(org_path)` (the
    user's view_sensitive scope); the export is logged with its rows and how many were masked."""
    scope = scope_for(user)
    shown = {"full": 0, "masked": 0}

    def full(org_path: str) -> bool:
        ok = scope.covers(org_path, "view_sensitive")
        shown["full" if ok else "masked"] += 1
        return ok

    rows = fill(path, full)
    audit.record("member.export", actor=user, org_path=org.path if org else "", detail={
        **detail, "rows": rows, "format": fmt, "full_numbers": shown["full"], "masked": shown["masked"]})
    return rows
