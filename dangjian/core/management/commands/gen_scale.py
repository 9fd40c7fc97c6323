from dangjian.core.management.base import CommandError, ReportCommand
from dangjian.core.scale import ScaleError, generate


class Command(ReportCommand):
    help = (
        "生成规模测试数据（合成的省级党组织树和党员，用于性能测试，不是演示数据）："
        "省委 → 市委 → 县委/区委 → 乡镇/街道 → 村/社区及机关、学校、医院、企业党组织，党员分布在各党支部。"
        "相同的 --seed 生成完全相同的数据。只能生成到空数据库；PostgreSQL 上用 COPY 写入。"
        "不写入历史版本（simple-history），因此“截至某日”的名单在这些数据上为空。"
        "加 --years Y 时还生成最近Y个自然年（最后一年到参考月份）的党费基数、减免、应交台账、交纳记录和"
        "党支部的组织生活记录（不含出勤）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, required=True, help="党组织总数（精确）")
        parser.add_argument(
            "--members", type=int, required=True, help="党员总数（精确），按党支部类型加权分配"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认1）")
        parser.add_argument(
            "--years", type=int, default=0, help="生成党费和组织生活数据的自然年数（0-10，默认0：不生成）"
        )

    def handle(self, *args, **o):
        def progress(msg):
            if o["format"] != "json" and o["verbosity"] >= 1:
                self.stderr.write(msg)

        try:
            summary = generate(
                orgs=o["orgs"], members=o["members"], seed=o["seed"], years=o["years"], progress=progress
            )
        except ScaleError as e:
            raise CommandError(str(e)) from None
        self.emit(
            o,
            summary,
            f"已生成{summary['orgs']}个党组织（其中党支部{summary['branches']}个，最深{summary['max_depth']}级）、"
            f"{summary['members']}名党员（党籍正常{summary['active_members']}名）"
            + (
                f"，{summary['dues_ledger']}条应交台账、{summary['dues_payments']}条交纳记录、"
                f"{summary['meetings']}条组织生活记录"
                if summary["years"]
                else ""
            )
            + f"，用时{summary['seconds']}秒。",
        )
