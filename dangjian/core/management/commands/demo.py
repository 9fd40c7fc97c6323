import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core import partitions
from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.demo import loader
from dangjian.demo.generator import SIZES, generate


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”无效，请写成2025-06-30") from None


class Command(ReportCommand):
    help = (
        "加载演示城市“青山市”（市委、区县、乡镇街道、村社区、机关、国企、学校、医院、两新组织；"
        "city 约5000名党员，small 约500名）。数据是确定的：相同的 --seed、--size 和 --today 生成完全相同的数据。"
        "只能加载到空数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认1）")
        parser.add_argument("--size", choices=SIZES, default="city", help="city：约5000名党员（默认）；small：约500名")
        parser.add_argument(
            "--today", type=_date, default=None,
            help="参考日期YYYY-MM-DD（默认今天）：年龄、入党日期、预备期、届次到期等都相对于这一天生成，"
                 "因此同一种子只有在同一参考日期下才生成相同的数据；不能晚于今天",
        )
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有党组织或党员时跳过并正常退出（make setup 使用）")

    def handle(self, *args, **o):
        n_orgs, n_members = loader.existing_data()
        if n_orgs or n_members:
            if o["if_empty"]:
                self.emit(o, {"loaded": False, "orgs": n_orgs, "members": n_members},
                          f"数据库中已有{n_orgs}个党组织、{n_members}名党员，跳过加载演示数据")
                return
            raise CommandError(f"数据库不是空的（已有{n_orgs}个党组织、{n_members}名党员），"
                               "演示数据只能加载到空数据库；如需重新加载，请换一个空数据库（DATABASE_URL）")
        today = o["today"] or timezone.localdate()
        if today > timezone.localdate():
            raise CommandError("参考日期不能晚于今天（入党、转正等日期不能在将来）")
        started = time.monotonic()
        city = generate(o["seed"], o["size"], today)
        try:
            summary = loader.load(city)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        # PostgreSQL: the demo's backdated history and meetings of past years landed in the DEFAULT partitions.
        partitions.ensure()
        summary["seconds"] = round(time.monotonic() - started, 1)
        self.emit(o, {"loaded": True, **summary},
                  f"已加载演示城市“青山市”（种子{summary['seed']}，参考日期{summary['today']}）："
                  f"{summary['orgs']}个党组织，{summary['members']}名党员（党籍正常{summary['active_members']}名），"
                  f"{summary['terms']}个届次，用时{summary['seconds']}秒。"
                  "运行 dangjian demo_logins 查看演示账号。")
