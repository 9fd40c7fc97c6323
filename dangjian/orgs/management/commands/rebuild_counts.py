from dangjian.core.management.base import ReportCommand
from dangjian.orgs.actions import rebuild_counts
from dangjian.orgs.models import Org


class Command(ReportCommand):
    help = "按党员表重新计算各党组织的党员人数（本级与含下级），用于批量导入或数据修复之后"

    def handle(self, *args, **o):
        rebuild_counts()
        n = Org.objects.count()
        self.emit(o, {"orgs": n}, f"已重新计算 {n} 个党组织的党员人数")
