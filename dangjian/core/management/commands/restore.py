from pathlib import Path

from dangjian.core.backup import BackupError, restore
from dangjian.core.management.base import CommandError, ReportCommand


class Command(ReportCommand):
    help = "从备份恢复数据库（先核对 .sha256 校验值）；会覆盖当前数据"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")

    def handle(self, *args, **o):
        if not o["yes"]:
            raise CommandError("恢复会覆盖当前数据库的全部数据；确认请加 --yes")
        try:
            digest = restore(Path(o["file"]))
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.emit(o, {"file": o["file"], "sha256": digest, "restored": True}, f"已从 {o['file']} 恢复")
