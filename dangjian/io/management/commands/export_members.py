from pathlib import Path

from dangjian.core import audit
from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.io.export import export_to_path, format_for
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.models import Org


class Command(ReportCommand):
    help = "导出党组织及其全部下级的在册党员（.xlsx 或 .csv，按文件扩展名），列与导入模板一致"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织编码")
        parser.add_argument("--out", required=True, help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--by-branch", action="store_true",
                            help="每个党支部一个工作表（仅 .xlsx），各支部核对后可整个工作簿重新导入")

    def handle(self, *args, **o):
        try:
            org = Org.objects.get(code=o["org"])
        except Org.DoesNotExist:
            raise CommandError(f"党组织编码“{o['org']}”不存在") from None
        out = Path(o["out"])
        try:
            fmt = format_for(out.name)
        except ValueError as e:
            raise CommandError(str(e)) from None
        # Active members only: an export is a roster that can be edited and imported again.
        qs = Member.objects.filter(org_path__startswith=org.path, status=Status.NORMAL).order_by("org_path", "id")
        # Run by an operator on the server: full numbers (the web export masks them per user).
        try:
            rows = export_to_path(qs, out, full=lambda _path: True, by_branch=o["by_branch"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        used = {"org": org.code, **({"sheets": "branch"} if o["by_branch"] else {})}
        audit.record("member.export", obj=org, detail={
            "source": "cli", "filter": used, "rows": rows, "format": fmt, "file": out.name, "masked": False})
        self.emit(o, {"org": org.code, "rows": rows, "file": str(out)}, f"已导出{rows}名党员到 {out}")
