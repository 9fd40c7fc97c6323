"""Database backup and restore with a checksum.

PostgreSQL: `pg_dump --format=custom` / `pg_restore --clean --if-exists` run by `psql --single-transaction` (the
client tools must match the server's major version or be newer). SQLite: the online backup API (a consistent copy while the site runs).
Each backup gets a sidecar `<file>.sha256`; restore refuses a file whose checksum does not match.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return args, env


def backup(out: Path, alias: str = "default") -> str:
    conn = connections[alias]
    sd = conn.settings_dict
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if conn.vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("找不到 pg_dump，请安装 PostgreSQL 客户端工具")
        args, env = _pg_env(sd)
        r = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "-f", str(out), *args, sd["NAME"]],
                           env=env, capture_output=True, text=True)
        if r.returncode:
            raise BackupError(f"pg_dump 失败：{r.stderr.strip()}")
    elif conn.vendor == "sqlite":
        conn.ensure_connection()
        target = sqlite3.connect(str(out))
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"不支持的数据库类型：{conn.vendor}")
    digest = sha256_of(out)
    Path(str(out) + ".sha256").write_text(f"{digest}  {out.name}\n")
    return digest


def _pg_restore(src: Path, sd: dict, partitioned: list[str]) -> None:
    """pg_restore's --clean script, run by psql in one transaction that commits only if pg_restore read the
    whole file. The partitioned tables are dropped first, with their partitions: the script would drop each
    partition's primary key on its own, which PostgreSQL refuses (a partition's key belongs to its parent's)."""
    args, env = _pg_env(sd)
    with tempfile.TemporaryFile() as dump_err, tempfile.TemporaryFile() as psql_err:
        dump = subprocess.Popen(["pg_restore", "--clean", "--if-exists", "--no-owner", "-f", "-", str(src)],
                                stdout=subprocess.PIPE, stderr=dump_err, env=env)
        psql = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", sd["NAME"], *args, "-f", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        try:
            psql.stdin.write(("BEGIN;\n" + "".join(f"DROP TABLE IF EXISTS {t};\n" for t in partitioned)).encode())
            shutil.copyfileobj(dump.stdout, psql.stdin, 1 << 20)
            if dump.wait() == 0:
                psql.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error (ON_ERROR_STOP): reported below
        finally:
            psql.stdin.close()
            dump.stdout.close()
        dump_rc, psql_rc = dump.wait(), psql.wait()
        for rc, err in ((psql_rc, psql_err), (dump_rc, dump_err)):
            if rc:
                err.seek(0)
                raise BackupError(f"pg_restore 失败：{err.read().decode(errors='replace').strip()}")


def restore(src: Path, alias: str = "default") -> str:
    src = Path(src)
    if not src.exists():
        raise BackupError(f"备份文件不存在：{src}")
    sidecar = Path(str(src) + ".sha256")
    if not sidecar.exists():
        raise BackupError(f"缺少校验文件 {sidecar.name}，无法确认备份完整")
    expected = sidecar.read_text().split()[0]
    actual = sha256_of(src)
    if actual != expected:
        raise BackupError("备份文件校验值不符，文件可能已损坏或被改动，已拒绝恢复")
    conn = connections[alias]
    sd = conn.settings_dict
    if conn.vendor == "postgresql":
        if not shutil.which("pg_restore") or not shutil.which("psql"):
            raise BackupError("找不到 pg_restore 或 psql，请安装 PostgreSQL 客户端工具")
        with conn.cursor() as cur:
            cur.execute("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_partitioned_table p "
                        "JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE NOT c.relispartition ORDER BY 1")
            partitioned = [r[0] for r in cur.fetchall()]
        conn.close()
        _pg_restore(src, sd, partitioned)
    elif conn.vendor == "sqlite":
        conn.ensure_connection()
        source = sqlite3.connect(str(src))
        try:
            source.backup(conn.connection)
        finally:
            source.close()
    else:
        raise BackupError(f"不支持的数据库类型：{conn.vendor}")
    return actual
