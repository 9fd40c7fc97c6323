import datetime as dt

from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.disclosure import reminders


class Command(ReportCommand):
    help = "发送三务公开提醒：截止前提醒本组织，逾期未公开告知上级党委（建议每天运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（默认今天），格式 2026-07-01")

    def handle(self, *args, **o):
        try:
            today = dt.date.fromisoformat(o["date"]) if o.get("date") else None
        except ValueError:
            raise CommandError(f"日期“{o['date']}”无效，格式应为 2026-07-01") from None
        result = reminders.run(today)
        sent = "，".join(f"{k} 新增{v}条" for k, v in result["sent"].items())
        self.emit(o, result, f"{result['date']}：截止前提醒{result['due']}条，逾期提醒{result['missed']}条；{sent}")
