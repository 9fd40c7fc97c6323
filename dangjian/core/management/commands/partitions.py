"""`dangjian partitions [--ahead N] [--year Y …] [--format json]`

Creates the missing yearly partitions of the partitioned tables (PostgreSQL; dangjian.core.partitions): this
year through N years on (default 1), any --year given, and every year that has rows in a DEFAULT partition,
whose rows are moved into it. Idempotent. `migrate` and the monthly `dues_ledger` run it too.
"""

from django.db import connection

from dangjian.core import partitions
from dangjian.core.management.base import CommandError, ReportCommand


class Command(ReportCommand):
    help = "按年分区（PostgreSQL）：创建缺少的年度分区，并把落入默认分区的数据移入对应年度分区"

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.AHEAD,
                            help=f"提前创建今后几年的分区（默认{partitions.AHEAD}）")
        parser.add_argument("--year", type=int, action="append", default=[], help="另外要创建的年度（可重复）")

    def handle(self, *args, **o):
        if o["ahead"] < 0 or any(not 1 <= y <= 9998 for y in o["year"]):
            raise CommandError("--ahead 不能为负数，--year 须为有效年份")
        if connection.vendor != "postgresql":
            self.emit(o, {"tables": [], "partitioned": False}, "当前数据库不是 PostgreSQL，不分区，无需操作。")
            return
        changed = partitions.ensure(ahead=o["ahead"], years=o["year"])
        tables = []
        for table in partitions.partitioned_tables():
            row = next((r for r in changed if r["table"] == table), {"created": [], "moved": 0})
            tables.append({"table": table, "created": row["created"], "moved": row["moved"],
                           "partitions": [name for name, _ in partitions.partitions_of(table)]})
        lines = []
        for t in tables:
            made = f"新建{'、'.join(map(str, t['created']))}年分区" if t["created"] else "无需新建"
            moved = f"，从默认分区移入{t['moved']}行" if t["moved"] else ""
            lines.append(f"{t['table']}：{made}{moved}（共{len(t['partitions'])}个分区）")
        self.emit(o, {"tables": tables, "partitioned": True}, "\n".join(lines) or "没有按年分区的表。")
