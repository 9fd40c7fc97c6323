import datetime as dt
from pathlib import Path

from django.conf import settings

from dangjian.core.backup import BackupError, backup
from dangjian.core.management.base import CommandError, ReportCommand


class Command(ReportCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份），并写出 .sha256 校验文件"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="备份文件路径（默认 var/backups/dangjian-时间.dump）")

    def handle(self, *args, **o):
        out = Path(o["out"] or Path(settings.VAR_DIR) / "backups" / f"dangjian-{dt.datetime.now():%Y%m%d-%H%M%S}.dump")
        try:
            digest = backup(out)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.emit(o, {"file": str(out), "sha256": digest}, f"已备份到 {out}\nSHA-256 {digest}")
