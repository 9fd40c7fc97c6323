from pathlib import Path

from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.io.orgs_import import import_orgs


class Command(ReportCommand):
    help = "导入党组织（.xlsx 或 .csv）：全部行检查无误才写入，重复导入不会重复写入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="党组织文件（.xlsx、.xls、.xlsb、.ods、.csv 或网页存档 .mht；多个文件可打包成一个 .zip 一起导入）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        result = import_orgs(path, dry_run=o["dry_run"], source="cli")
        self.emit(o, result.as_json(), result.as_text())
        if not result.ok:
            # Exit status 1; the report (errors JSON) is already on stdout.
            raise CommandError(f"导入失败：{len(result.errors)}处错误，未写入任何数据")
