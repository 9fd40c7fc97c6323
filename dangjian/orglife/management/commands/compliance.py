from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.orglife.compliance import as_contract, compliance, rate
from dangjian.orgs.models import Org
from dangjian.rules.meetings import KINDS

STATUS = {"ok": "达标", "missed": "未达标", "due": "进行中"}


class Command(ReportCommand):
    help = "检查党组织及全部下级党支部的组织生活（三会一课等）是否按规定召开"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织编码")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="M")

    def handle(self, *args, **o):
        org = Org.objects.filter(code=o["org"]).first()
        if org is None:
            raise CommandError(f"党组织编码“{o['org']}”不存在")
        if not 1949 <= o["year"] <= 9999:
            raise CommandError(f"年份“{o['year']}”无效，应为四位数年份，如 2025")
        rows = compliance(org, o["year"], o.get("month"))
        lines = [f"{org.name}（{org.code}）{o['year']}年组织生活检查：{len(rows)}项"]
        r = rate(rows)
        if r is not None:
            lines.append(f"已结束周期的达标率：{r:.1%}")
        for row in rows:
            if row.status != "ok":
                lines.append(f"  {row.org_name} {KINDS[row.requirement]} {row.period}：应{row.required}次，"
                             f"实{row.held}次，{STATUS[row.status]}{'' if row.hard else '（一般要求）'}")
        self.emit(o, as_contract(org, o["year"], rows), "\n".join(lines))
