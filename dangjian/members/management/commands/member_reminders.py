import datetime as dt

from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.members import reminders


class Command(ReportCommand):
    help = "党员管理提醒：外出满6个月且地点相对固定的流动党员提示转接，疑似失联党员提示跟进（建议每天运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（默认今天），格式 2026-07-01")

    def handle(self, *args, **o):
        try:
            today = dt.date.fromisoformat(o["date"]) if o.get("date") else None
        except ValueError:
            raise CommandError(f"日期“{o['date']}”无效，格式应为 2026-07-01") from None
        result = reminders.run(today)
        sent = "，".join(f"{k} 新增{v}条" for k, v in result["sent"].items())
        self.emit(o, result, f"{result['date']}：应转接提醒{result['transfer_due']}条，失联跟进提醒{result['lost_contact']}条；{sent}")
