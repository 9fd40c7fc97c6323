from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.disclosure import actions
from dangjian.orgs.models import Org


class Command(ReportCommand):
    help = "为党组织（及其全部下级）导入默认的农村、社区三务公开目录（已有的同名事项不重复导入）"

    def add_arguments(self, parser):
        parser.add_argument("code", help="制定目录的党组织编码（通常是县委或乡镇党委）")

    def handle(self, *args, **o):
        org = Org.objects.filter(code=o["code"]).first()
        if org is None:
            raise CommandError(f"没有编码为“{o['code']}”的党组织")
        added = actions.install_default_catalog(org)
        self.emit(o, {"org": org.code, "added": added}, f"{org.name}：新增公开目录事项{added}条")
