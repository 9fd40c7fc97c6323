from types import SimpleNamespace

from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.orgs.models import Org
from dangjian.reports import queries

# Run by an operator on the server: the whole platform, as a superuser sees it.
_OPERATOR = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, pk=None)


class Command(ReportCommand):
    help = "党内统计：党组织及全部下级的党组织个数和党员结构（按直属下级分行）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织编码")
        parser.add_argument("--as-of", dest="as_of", default="", help="统计截止日期 YYYY-MM-DD，默认今天；年报用12月31日")

    def handle(self, *args, **o):
        org = Org.objects.filter(code=o["org"]).first()
        if org is None:
            raise CommandError(f"党组织编码“{o['org']}”不存在")
        try:
            ref = queries.parse_reference(o["as_of"])
        except queries.ReportError as e:
            raise CommandError(str(e)) from None
        t = queries.member_table(SimpleNamespace(**vars(_OPERATOR)), org, ref)
        lines = [f"{org.name}（{org.code}）党内统计，截至{ref.isoformat()}"
                 f"{'（按当日系统中的记录）' if t.historical else ''}："
                 f"基层党组织{t.org_total}个，党员{t.total['total']}名"]
        for grid in t.grids():
            lines.append(f"\n{grid.section.title}")
            lines.append("\t".join(["党组织", *(c.label for c in grid.section.columns)]))
            for row, cells in grid.rows:
                lines.append("\t".join([row.label, *map(str, cells)]))
            lines.append("\t".join(["合计", *map(str, grid.total)]))
        self.emit(o, queries.as_json(t), "\n".join(lines))
