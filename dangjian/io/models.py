"""Import jobs (导入任务): an uploaded roster, its preview, and what confirming it did.

The web import stores the file under MEDIA_ROOT and the preview here (the counts and errors on the job,
every row's outcome in `ImportRow`), so that “confirm” re-reads and re-validates the same file. Files with more than DANGJIAN_IMPORT_SYNC_MAX_ROWS rows are checked
and written by a background task (`tasks.run_import_job`): the job is then queued/running, with
`progress` (0–100) and `message` polled by the job page.
"""

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        MEMBERS = "members", "党员"
        ORGS = "orgs", "党组织"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        PREVIEWED = "previewed", "待确认"
        INVALID = "invalid", "有错误"
        DONE = "done", "已导入"
        FAILED = "failed", "导入失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                             related_name="import_jobs")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    file_name = models.CharField("原文件名", max_length=200)
    default_org = models.ForeignKey("orgs.Org", verbose_name="默认党组织", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    counts = models.JSONField("统计", default=dict, blank=True)  # {"created", "updated", "unchanged"}
    errors = models.JSONField("错误", default=list, blank=True)  # CONTRACT's error dicts
    error_count = models.PositiveIntegerField("错误数", default=0)  # len(errors), without loading them
    # How many stored rows (ImportRow) have each outcome ({"create": n, "error": m, …}): the preview's tabs
    outcome_counts = models.JSONField("逐行结果计数", default=dict, blank=True)
    # Of a workbook of several sheets: which were read, with how many rows, and which had no header (result.sheets)
    sheets = models.JSONField("工作表", default=dict, blank=True)
    # Of a member import: [[code, name, created, updated, unchanged], …] of the branches its valid rows go to, in tree
    # order; the preview's table when there are several (a town's files of 300 villages: did each go to its village?)
    branches = models.JSONField("按党支部统计", default=list, blank=True)
    total_rows = models.PositiveIntegerField("行数", default=0)  # data rows counted at upload (progress base)
    progress = models.PositiveSmallIntegerField("进度", default=0)  # 0–100 while queued/running
    message = models.CharField("进度说明", max_length=200, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始处理时间", null=True, blank=True)
    finished_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            # “my recent imports” on the landing page
            models.Index(fields=["user", "-created_at"], name="importjob_user_idx"),
        ]

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def nothing_to_write(self) -> bool:
        """Checked clean and every row as the registry has it: confirming writes nothing (the pages say 无需写入)."""
        return (self.status == self.Status.PREVIEWED and not self.counts.get("created")
                and not self.counts.get("updated"))

    reuploaded = False  # set by views.mark_reuploaded for the list of jobs

    @property
    def status_text(self) -> str:
        if self.reuploaded:
            return "已重新上传"
        return "无需写入" if self.nothing_to_write else self.get_status_display()

    @property
    def branch_names(self) -> dict[str, str]:
        """{code: name} of the branches the valid rows go to (what a stored row's `org_code` names)."""
        return {code: name for code, name, *_ in self.branches}

    @property
    def several_branches(self) -> bool:
        """Whether the valid rows go to more than one branch: then the preview, the result file and the rows say
        each row's branch, and count them per branch."""
        return len(self.branches) > 1

    def __str__(self):
        return f"{self.get_kind_display()}导入 {self.file_name}"


class ImportRow(models.Model):
    """One row's outcome in a job's preview, or in its result once confirmed: what the job page and
    `imports/{id}/rows/` page through. A table rather than a list on the job, so that a 200,000-row
    preview is read a page at a time instead of being loaded whole on every view."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="outcomes", db_index=False)
    row = models.PositiveIntegerField("行号")
    kind = models.CharField("结果", max_length=10)  # result.CREATE / UPDATE / UNCHANGED / ERROR
    label = models.CharField("对象", max_length=300, blank=True)  # name and masked ID, or org code and name
    changes = models.JSONField("变更", default=list, blank=True)  # [[column, old, new]] of an update
    errors = models.JSONField("错误", default=list, blank=True)  # the row's errors as the preview words them
    # The row's worksheet when a workbook's sheets were imported together ("" otherwise): `row` is that sheet's.
    sheet = models.CharField("工作表", max_length=100, blank=True, default="")
    # A valid member row's branch, by its code: the one a new member goes to, or the one the member is in ("" otherwise);
    # its name is the job's (`ImportJob.branches`)
    org_code = models.CharField("所在党组织编码", max_length=40, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "导入逐行结果"
        indexes = [
            # a page of every row in file order (rows are stored in file order, so id order is row order)
            models.Index(fields=["job", "id"], name="importrow_job_idx"),
            # a page of one outcome, and the per-outcome counts of the tabs
            models.Index(fields=["job", "kind", "id"], name="importrow_job_kind_idx"),
        ]


class ExportJob(models.Model):
    """A member list export too long to write inside a web request (DANGJIAN_EXPORT_SYNC_MAX_ROWS): the list's
    query string, written by `tasks.run_export_job` into a file the user downloads from the job's page. The
    export is logged when it is written, as one written in the request is."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在导出"
        DONE = "done", "已完成"
        FAILED = "failed", "导出失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT,
                             related_name="export_jobs")
    name = models.CharField("文件名", max_length=200)  # the download's name, without its extension
    fmt = models.CharField("格式", max_length=4)
    params = models.JSONField("筛选条件", default=dict)  # the list's query string, as the button sent it
    source = models.CharField("来源", max_length=10, default="web")  # web (the list's button) or api (POST exports/)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField("行数", default=0)  # the list's count when it was asked for
    rows = models.PositiveIntegerField("已写出", default=0)
    message = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            # “my recent exports” on the import/export page
            models.Index(fields=["user", "-created_at"], name="exportjob_user_idx"),
        ]

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def downloadable(self) -> bool:
        """Written, and its file not yet deleted (`tasks.expire_exports`)."""
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def progress(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows * 100 // self.total_rows) if self.total_rows else 0

    def __str__(self):
        return f"导出 {self.name}"
