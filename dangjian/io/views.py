"""Web pages of roster import and export: upload → preview of every row → confirm; templates; the
member list's export button.

Files with up to DANGJIAN_IMPORT_SYNC_MAX_ROWS data rows are checked and written in the request;
larger ones are queued (django-tasks, `dangjian db_worker`) and the job page polls a progress fragment.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dangjian.api.pagination import CountedPaginator
from dangjian.core.scope import scope_for
from dangjian.members import queries
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.orgs.queries import sole_scope_root

from . import actions, exports, ledgers, results, tasks
from .download import XLSX, attachment, temp_file_response
from .exports import ExportError
from .models import ExportJob, ImportJob
from .named_branches import told_apart
from .readers import ARCHIVE_SUFFIXES, SUPPORTED_SUFFIXES, UNSUPPORTED_HINTS, suffix_of, unsupported
from .result import CREATE, ERROR, KIND_LABELS, UNCHANGED, UPDATE, is_bundle, sheets_text, where
from .template import KINDS, build_template
from .without_rows import branches_without_rows

MAX_UPLOAD = 100 * 1024 * 1024
PAGE_SIZE = 100
WRITES = "writes"  # the preview's tab of the rows confirming writes: 新增 and 变更


def _can(user, action: str) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.prefixes(action))


class _Files(forms.ClearableFileInput):
    allow_multiple_selected = True


class _FilesField(forms.FileField):
    """One file or several (each branch's roster, chosen together): a list of them."""

    widget = _Files

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(_FilesField, self).clean(item, initial) for item in items if item] or [super().clean(None)]


class UploadForm(forms.Form):
    file = _FilesField(label="文件", help_text=(
        "Excel 或 WPS 表格（.xlsx、.xls、.xlsb）、LibreOffice 表格（.ods）、CSV（UTF-8 或 GBK 编码）"
        "或网页存档（.mht）；系统导出的网页格式“Excel”也能读；"
        "一个工作簿有多个工作表（如每村一个）的，有表头的工作表都会导入；"
        "多个文件（如各支部报来的）可以一次选择，或打包成 .zip 上传，一起检查、一起导入"))

    def clean_file(self):
        files = self.cleaned_data["file"]
        for f in files:
            suffix = suffix_of(f.name)
            if suffix not in SUPPORTED_SUFFIXES and suffix in UNSUPPORTED_HINTS:
                raise forms.ValidationError(f"“{f.name}”：{unsupported(suffix)}")
            if suffix not in SUPPORTED_SUFFIXES or (len(files) > 1 and suffix in ARCHIVE_SUFFIXES):
                raise forms.ValidationError(
                    f"“{f.name}”不是可以导入的文件：请上传 .xlsx、.xls、.xlsb、.ods、.csv、.mht 文件"
                    + ("，压缩包请单独上传" if suffix in ARCHIVE_SUFFIXES else "或它们的 .zip 压缩包"))
        if sum(f.size for f in files) > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过100MB" if len(files) == 1 else "所选文件合计不能超过100MB，请分批上传")
        return files[0] if len(files) == 1 else bundle(files)


def bundle(files) -> File:
    """Several chosen files as one .zip (what `readers` reads as the sheets of one workbook), named after them:
    “东村.xlsx等3个文件.zip”. Two files of the same name are told apart as the file manager would ("(2)")."""
    out = tempfile.TemporaryFile()
    names: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:  # spreadsheets are compressed already
        for f in files:
            name, n = Path(f.name).name, 1
            while name in names:
                n += 1
                name = f"{Path(f.name).stem}({n}){Path(f.name).suffix}"
            names.add(name)
            with z.open(name, "w", force_zip64=True) as dst:
                for chunk in f.chunks():
                    dst.write(chunk)
    out.seek(0)
    return File(out, name=f"{Path(files[0].name).name}等{len(files)}个文件.zip")


class MemberUploadForm(UploadForm):
    default_org = forms.CharField(label="默认党组织编码", required=False, max_length=40,
                                  help_text="可选：未填写所在党组织（编码或全称）的行编入该党支部")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_default_org(self):
        code = self.cleaned_data["default_org"].strip()
        if not code:
            return None
        org = Org.objects.restrict(self.user, "change_member").filter(code=code).first()
        if org is None:
            raise forms.ValidationError(f"党组织编码“{code}”不存在或无权导入该党组织的党员")
        if not org.is_branch:
            raise forms.ValidationError(f"“{org.name}”不是党支部，党员只能编入党支部")
        return org


@login_required
@require_GET
def index(request):
    can_members, can_orgs = _can(request.user, "change_member"), _can(request.user, "change_org")
    if not (can_members or can_orgs):
        raise Http404
    # `errors` holds one entry per bad cell (200,000 for a column in a wrong format): not for a list of jobs.
    jobs = list(ImportJob.objects.filter(user=request.user).select_related("default_org").defer("errors")[:20])
    mark_reuploaded(jobs)
    export_jobs = tasks.exports_of(request.user)[:10]
    branches = []
    if can_members:  # two of the branches the user may import into: one is their own, else an example code
        branches = list(Org.objects.restrict(request.user, "change_member").filter(org_type__in=BRANCH_TYPES)
                        .order_by("path").values_list("code", "name")[:2])
    # The export card: the whole of the user's scope (its one top organization when it has one, as the member
    # list's ?org= names it; its size from the kept counters, no count query).
    export_root = sole_scope_root(request.user)
    return render(request, "io/index.html", {
        "can_members": can_members, "can_orgs": can_orgs, "jobs": jobs, "export_jobs": export_jobs,
        "export_root": export_root, "export_branch_only": export_root is not None and export_root.is_branch,
        "export_sync_max": _count_text(settings.DANGJIAN_EXPORT_SYNC_MAX_ROWS),
        "member_form": MemberUploadForm(user=request.user), "org_form": UploadForm(),
        "own_branch": branches[0] if len(branches) == 1 else None,
        "example_branch": branches[0] if branches else None,
        "accept": ",".join(sorted(SUPPORTED_SUFFIXES)),  # the file picker offers every kind the import reads
    })


def _count_text(n: int) -> str:
    """200000 → "20万", as a count is said."""
    return f"{n // 10_000}万" if n >= 10_000 and n % 10_000 == 0 else str(n)


@login_required
@require_POST
def upload(request, kind: str):
    if kind not in KINDS:
        raise Http404
    action = "change_member" if kind == "members" else "change_org"
    if not _can(request.user, action):
        raise Http404
    form = (MemberUploadForm(request.POST, request.FILES, user=request.user) if kind == "members"
            else UploadForm(request.POST, request.FILES))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, e)
        return redirect("io:index")
    job = actions.start_import(request.user, kind, form.cleaned_data["file"],
                               default_org=form.cleaned_data.get("default_org"))
    return redirect("io:job", pk=job.pk)


def mark_reuploaded(jobs: list[ImportJob]) -> None:
    """A preview left unconfirmed whose file (kind and name) was uploaded again later says 已重新上传 in the list
    (`jobs`: newest first), not 待确认 beside the new one."""
    seen = set()
    for job in jobs:
        key = (job.kind, job.file_name)
        job.reuploaded = key in seen and job.status == ImportJob.Status.PREVIEWED
        seen.add(key)


def _own_job(request, pk, qs=None) -> ImportJob:
    # A job is its uploader's: anyone else gets 404, as for anything outside one's scope.
    return get_object_or_404(qs if qs is not None else ImportJob.objects.select_related("default_org"), pk=pk,
                             user=request.user)


@login_required
@require_GET
def job_detail(request, pk: int):
    # The error list is read only when it is shown whole (errors of the file itself, no row outcomes).
    job = _own_job(request, pk, ImportJob.objects.select_related("default_org").defer("errors"))
    newer = (ImportJob.objects.filter(user=request.user, kind=job.kind, file_name=job.file_name, pk__gt=job.pk)
             .order_by("-pk").values_list("pk", flat=True).first() if job.status == ImportJob.Status.PREVIEWED else None)
    job.reuploaded = newer is not None  # its badge as in the list
    names = job.branch_names if job.several_branches else {}  # said only when the rows go to several branches
    names.update(told_apart(list(names.items())))  # three towns' 东村党支部 each with its town
    # One branch's rows (?org=<code>, from the per-branch table), counted by that table's row.
    org = request.GET.get("org", "")
    branch = next((b for b in job.branches if b[0] == org), None) if names else None
    # The per-outcome counts kept with the job, then one page of rows: never the whole preview.
    job_counts = counts = {k: job.outcome_counts.get(k, 0) for k in KIND_LABELS}  # the alerts say the whole file's
    if branch is None:
        org = ""
    else:
        counts = {CREATE: branch[2], UPDATE: branch[3], UNCHANGED: branch[4], ERROR: 0}
    # A file with errors opens on its rows in error (what must be fixed, not buried under the unchanged ones); a
    # roster sent back with a few changes on the rows confirming writes (WRITES: 新增 and 变更); "all" is every row.
    writes = counts[CREATE] + counts[UPDATE]
    mixed = bool(writes and counts[UNCHANGED])  # else WRITES would be the same as 全部 or as 无变化's opposite
    show = request.GET.get("show", ERROR if counts[ERROR] else WRITES if mixed else "")
    rows = job.outcomes.order_by("id")
    if org:
        rows = rows.filter(org_code=org)
    if show in KIND_LABELS:
        rows = rows.filter(kind=show)
    elif show == WRITES:
        rows = rows.filter(kind__in=[CREATE, UPDATE])
    total = sum(counts.values())
    shown = counts[show] if show in KIND_LABELS else writes if show == WRITES else total
    page = CountedPaginator(rows.values_list("row", "kind", "label", "changes", "errors", "sheet", "org_code"),
                            PAGE_SIZE, count=shown).get_page(request.GET.get("page"))
    return render(request, "io/job.html", {
        "job": job, "page": page, "show": show, "counts": counts, "job_counts": job_counts, "total": total,
        # each row with its branch's name in place of the code (said only when the rows go to several branches)
        "rows": [(*r[:6], names.get(r[6], "")) for r in page],
        "branch": branch and [branch[0], names[branch[0]], *branch[2:]],
        "branches": [[code, names[code], *rest] for code, _name, *rest in job.branches] if names else [],
        "org_qs": f"&org={quote(org)}" if org else "",
        "tabs": [(WRITES, "新增和变更", writes)] * mixed + [(k, label, counts[k]) for k, label in KIND_LABELS.items()],
        "can_confirm": job.status == ImportJob.Status.PREVIEWED,
        "newer": newer,  # the same file uploaded again later: its preview is the one to look at
        "bundle": is_bundle(job.file_name),  # the rows of several files: a file's name may need to wrap
        "sheets": any(r[5] for r in page),  # a workbook's sheets imported together: rows say their sheet
        # which sheets were read and which not, as the command says it (the default-org warning stands apart)
        "sheet_lines": sheets_text({k: v for k, v in job.sheets.items() if k != "default_org"}, job.file_name),
        # errors of the file itself (no row outcomes to show them in): read only then
        # (a file that cannot be read at all, or has no header, is not placed at a row: its “第1行” meant nothing)
        "file_errors": [{**e, "where": where(e) if e.get("column") or e.get("sheet") else ""} for e in job.errors]
        if job.error_count and not total else [],
        "without_rows": branches_without_rows(job, request.user),
    })


@login_required
@require_GET
def job_progress(request, pk: int):
    """The job page's progress fragment, polled every second while the job is queued or running; once
    it is over, htmx reloads the whole page (HX-Refresh) to show the counts or the errors."""
    # Polled every second, also while a confirmed preview of 200,000 rows is being written: read
    # only what the bar shows, not the stored preview.
    job = _own_job(request, pk, ImportJob.objects.only("pk", "user_id", "status", "progress", "message",
                                                        "total_rows"))
    return _progress(request, "io/_progress.html", job)


def _progress(request, template: str, job) -> HttpResponse:
    """A job's progress fragment; once the job is over, htmx is told to reload the whole page (HX-Refresh)."""
    response = render(request, template, {"job": job})
    if not job.in_progress and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request, pk: int):
    job = _own_job(request, pk)
    try:
        actions.confirm_import(job)
    except actions.JobNotConfirmable as e:
        messages.error(request, e.message)
        return redirect("io:job", pk=job.pk)
    if not job.in_progress:
        (messages.success if job.status == ImportJob.Status.DONE else messages.error)(request, job.message)
    return redirect("io:job", pk=job.pk)


@login_required
@require_GET
def template(request, kind: str):
    if kind not in KINDS:
        raise Http404
    name = f"{KINDS[kind][0]}导入模板.xlsx"
    response = HttpResponse(build_template(kind), content_type=XLSX)
    response["Content-Disposition"] = attachment(name)
    return response


def _export_error(request, e: ExportError):
    """Why the list cannot be exported, on a page with the way back (400)."""
    back = request.META.get("HTTP_REFERER") or "/members/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/members/"
    return render(request, "io/export_error.html", {"message": str(e), "back": back}, status=400)


def export_response(request, params, *, source: str) -> FileResponse:
    """Exactly the member list the user sees with these filters (`params`: the list's query string),
    with ID and phone numbers masked where the user may not see them in full; every export is logged.
    Shared by the member list's export button (lists up to DANGJIAN_EXPORT_SYNC_MAX_ROWS) and
    GET /api/v1/members/export/."""
    return _file_response(request, exports.plan(request.user, params, source=source))


def _file_response(request, export: exports.MemberExport) -> FileResponse:
    return _download(lambda path: exports.write(request.user, export, path), fmt=export.fmt, name=export.name)


CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _export(request, write, *, fmt: str, name: str, org: Org | None, detail: dict) -> FileResponse:
    """`write(path, full)` fills the file, masked and logged as `exports.write_with` does."""
    return _download(lambda path: exports.write_with(request.user, write, path, fmt=fmt, org=org, detail=detail),
                     fmt=fmt, name=name)


def _download(fill, *, fmt: str, name: str) -> FileResponse:
    """`fill(path)` writes the export into a temporary file, answered as `name`.`fmt`."""
    response, _rows = temp_file_response(fill, suffix=f".{fmt}", prefix="export-", name=f"{name}.{fmt}",
                                         content_type=CONTENT_TYPES[fmt])
    return response


# The member lists besides the roster: (the page's tabs, the export's columns, the file's title).
LIST_EXPORTS = {
    "mobile": (queries.mobile_tabs, ledgers.MOBILE, "流动党员"),
    "lost": (queries.lost_contact_tabs, ledgers.LOST_CONTACT, "失联党员"),
}


@login_required
@require_GET
def export_list(request, name: str):
    """The 流动党员 or 失联党员 page's current tab (`?tab=`, `?org=`) as a file: exactly the rows the page lists
    for this user, each member's template columns and then the list's own."""
    if name not in LIST_EXPORTS:
        raise Http404
    try:
        return list_export_response(request, name, request.GET.get("tab", ""), request.GET, source="web")
    except ExportError as e:
        return _export_error(request, e)


def list_export_response(request, name: str, tab: str, params, *, source: str) -> FileResponse:
    """One tab of a member list (LIST_EXPORTS[name]; an unknown tab is the first) for `params`' `org` and
    `format`, as the page lists it for this user; shared by the pages' buttons and the API."""
    tabs_of, ledger, title = LIST_EXPORTS[name]
    scope = scope_for(request.user)
    if not (scope.everything or scope.prefixes("view")):
        raise Http404  # as the lists themselves: nothing to see for a plain member
    fmt = exports.format_of(params)
    org = queries.scoped_org(request.user, params.get("org", ""))
    tabs = tabs_of(request.user, timezone.localdate(), org=org)
    key, label, qs = next((t for t in tabs if t[0] == tab), tabs[0])
    whose = org or sole_scope_root(request.user)  # named as the roster's export is
    file_name = f"{whose.name if whose else ''}{title}（{label}）{timezone.localdate():%Y%m%d}"
    return _export(request, lambda path, full: ledger.export_to_path(qs, path, full=full), fmt=fmt, name=file_name,
                   org=org, detail={"source": source, "list": f"{name}:{key}", "filter": {"org": org.code} if org else {}})


@login_required
@require_GET
def export_members(request):
    """The member list's export button: the file at once, or for a list longer than DANGJIAN_EXPORT_SYNC_MAX_ROWS a
    background job whose page gives the file when it is written."""
    try:
        export = exports.plan(request.user, request.GET, source="web")
        if export.total() <= settings.DANGJIAN_EXPORT_SYNC_MAX_ROWS:
            return _file_response(request, export)
    except ExportError as e:
        return _export_error(request, e)
    job = exports.queue(request.user, export, request.GET, source="web")
    return redirect("io:export_job", job.pk)


def _own_export(request, pk: int) -> ExportJob:
    return get_object_or_404(tasks.exports_of(request.user), pk=pk)


@login_required
@require_GET
def export_job(request, pk: int):
    return render(request, "io/export_job.html", {"job": _own_export(request, pk), "kept_days": tasks.EXPORT_KEPT_DAYS})


@login_required
@require_GET
def export_job_progress(request, pk: int):
    """The job page's progress, polled while the export is queued or running; once it is over, htmx reloads the
    page (HX-Refresh) to show the download."""
    return _progress(request, "io/_export_progress.html", _own_export(request, pk))


@login_required
@require_GET
def export_job_download(request, pk: int):
    return export_job_file(_own_export(request, pk))


def export_job_file(job: ExportJob) -> FileResponse:
    """A background export's file (the job page's 下载文件 and GET /api/v1/exports/{id}/file/); 404 until it is
    written, and once it has been deleted."""
    if not job.downloadable:
        raise Http404
    response = FileResponse(job.file.open("rb"), content_type=CONTENT_TYPES[job.fmt])
    response["Content-Disposition"] = attachment(f"{job.name}.{job.fmt}")
    return response


@login_required
@require_GET
def job_result(request, pk: int):
    """Every row's outcome and error as a spreadsheet, to fix the file by."""
    return results.response(_own_job(request, pk))
