"""Yearly range partitions of the large tables on PostgreSQL (declarative partitioning).

The tables that grow by one row per member and month or per event (the dues ledger and payments, attendance,
member history, the audit log) are partitioned by RANGE of a date or timestamp column, one partition per
calendar year (`<table>_y2026`, bounds in settings.TIME_ZONE for timestamps) plus a DEFAULT partition
(`<table>_default`) so that an insert never fails: a row for a year without its partition lands there, and
`ensure` (command `dangjian partitions`, also run after every migrate and by the monthly ledger run) creates
the missing years and moves such rows into them.

PostgreSQL wants every primary key and unique constraint of a partitioned table to contain the partition
key, so on PostgreSQL the key of these tables is (id, <column>) and a unique key gets the column appended
(the ledger's (member_id, month) already has it). Django keeps `id` as the primary key in Python: inserts
(RETURNING id), updates and deletes by id work unchanged, and ids stay unique because one sequence draws
them (the database itself no longer checks that across years). Constraints and indexes whose key was changed carry the comment MARK, which is how `unpartition`
(the migrations' reverse) knows what to give back. SQLite has no partitioning: everything here is a no-op
there, and Django's migrations state is the same on both.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

MARK = "dangjian: partition key added"
AHEAD = 1  # years after the current one that have their partition before they start
_LOCK = 0x64616E67  # advisory lock key: one `ensure` at a time


class PartitionError(RuntimeError):
    pass


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    # DDL takes no bind parameters (with server-side binding): the few literals here are ours.
    return "'" + value.replace("'", "''") + "'"


def _one(cur, sql, params=()):
    cur.execute(sql, params)
    row = cur.fetchone()
    return row[0] if row else None


def _column_type(cur, table: str, column: str) -> str:
    return _one(cur, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                     "WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped", [table, column])


def _bounds(kind: str, year: int) -> tuple[str, str]:
    """The partition's FROM and TO literals: dates, or the local midnight of 1 January for timestamps."""
    if kind == "date":
        return f"{year:04d}-01-01", f"{year + 1:04d}-01-01"
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime(year, 1, 1, tzinfo=tz).isoformat(sep=" "),
            dt.datetime(year + 1, 1, 1, tzinfo=tz).isoformat(sep=" "))


def _year_sql(column: str, kind: str) -> str:
    # Django's sessions run in UTC: a timestamp's local year needs the zone spelled out.
    expr = _q(column) if kind == "date" else f"({_q(column)} AT TIME ZONE %s)"
    return f"CAST(EXTRACT(YEAR FROM {expr}) AS integer)"


def _kind(type_name: str) -> str:
    return "date" if type_name == "date" else "timestamp"


def _create_partition(cur, table: str, kind: str, year: int) -> str:
    lo, hi = _bounds(kind, year)
    name = f"{table}_y{year:04d}"
    cur.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM ({_lit(lo)}) TO ({_lit(hi)})")
    return name


def _columns(cur, table: str) -> str:
    cur.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum", [table])
    return ", ".join(_q(r[0]) for r in cur.fetchall())


def _add_key_column(definition: str, column: str) -> str:
    """`PRIMARY KEY (id)` → `PRIMARY KEY (id, month)`; also UNIQUE and unique index definitions."""
    head, cols, tail = _split_key(definition)
    return f"{head}{cols}, {_q(column)}{tail}"


def _drop_key_column(definition: str, column: str) -> str:
    head, cols, tail = _split_key(definition)
    kept = [c for c in cols.split(", ") if c not in (column, _q(column))]
    return f"{head}{', '.join(kept)}{tail}"


def _split_key(definition: str) -> tuple[str, str, str]:
    m = (re.match(r"^((?:PRIMARY KEY|UNIQUE(?: NULLS NOT DISTINCT)?) \()([^()]*)(\).*)$", definition, re.S)
         or re.match(r"^(CREATE UNIQUE INDEX .*? USING \w+ \()([^()]*)(\).*)$", definition, re.S))
    if not m:
        raise PartitionError(f"无法在唯一约束中加入分区列：{definition}")
    return m.group(1), m.group(2), m.group(3)


def _fk_with_key(definition: str, column: str, add: bool) -> str:
    """A self-reference `FOREIGN KEY (a) REFERENCES t(id) …` with the partition column on both sides (a row
    and the row it references share the column's value), or back without it."""
    m = re.match(r"^FOREIGN KEY \(([^()]*)\) REFERENCES ([^(]+)\(([^()]*)\)(.*)$", definition, re.S)
    if not m:
        raise PartitionError(f"无法改写外键：{definition}")
    src, target, ref, tail = m.groups()
    if add:
        src, ref = f"{src}, {_q(column)}", f"{ref}, {_q(column)}"
    else:
        src = ", ".join(c for c in src.split(", ") if c not in (column, _q(column)))
        ref = ", ".join(c for c in ref.split(", ") if c not in (column, _q(column)))
    return f"FOREIGN KEY ({src}) REFERENCES {target}({ref}){tail}"


def _capture(cur, table: str) -> dict:
    """What the table has besides its columns: constraints, indexes of their own, identity/serial columns,
    owner and grants; definitions as PostgreSQL prints them (they name the table, not its oid)."""
    cur.execute("""
        SELECT c.conname, c.contype, pg_get_constraintdef(c.oid), c.confrelid = c.conrelid,
               ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)),
               obj_description(c.oid, 'pg_constraint') IS NOT DISTINCT FROM %s
        FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f', 'c', 'x') AND c.conparentid = 0
        ORDER BY strpos('pucfx', c.contype::text), c.conname""", [MARK, table])
    constraints = cur.fetchall()
    cur.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique,
               ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = ANY (i.indkey)),
               obj_description(i.indexrelid, 'pg_class') IS NOT DISTINCT FROM %s
        FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                                                          AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1""", [MARK, table])
    indexes = cur.fetchall()
    cur.execute("""
        SELECT attname, attidentity, pg_get_serial_sequence(%s, attname)
        FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
          AND pg_get_serial_sequence(%s, attname) IS NOT NULL""", [table, table, table])
    sequences = []
    for column, identity, seq in cur.fetchall():
        last = _one(cur, "SELECT pg_sequence_last_value(%s::regclass)", [seq])
        sequences.append((column, identity, seq, last))
    cur.execute("""
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
               a.privilege_type
        FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = %s::regclass AND a.grantee <> c.relowner""",
                [table])
    grants = cur.fetchall()
    owner = _one(cur, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table])
    foreign = _one(cur, "SELECT string_agg(conname || ' (' || conrelid::regclass::text || ')', ', ') "
                        "FROM pg_constraint WHERE confrelid = %s::regclass AND conrelid <> confrelid "
                        "AND contype = 'f' AND conparentid = 0", [table])
    triggers = _one(cur, "SELECT string_agg(tgname, ', ') FROM pg_trigger WHERE tgrelid = %s::regclass "
                         "AND NOT tgisinternal AND tgparentid = 0", [table])
    return {"constraints": constraints, "indexes": indexes, "sequences": sequences, "grants": grants,
            "owner": owner, "foreign": foreign, "triggers": triggers}


def _rebuild(cur, table: str, old: str, info: dict, column: str, *, partitioned: bool, years=()) -> None:
    """Creates `table` (partitioned by `column`, or plain), copies the rows of `old` into it, drops `old`
    and gives the new table the old one's constraints, indexes, sequences, owner and grants, with the
    partition column added to its unique keys (or taken out of the ones that carry MARK)."""
    like = (f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS "
            "INCLUDING COMPRESSION INCLUDING STATISTICS)")
    kind = _kind(_column_type(cur, old, column))
    if partitioned:
        cur.execute(f"{like} PARTITION BY RANGE ({_q(column)})")
        tz = [] if kind == "date" else [settings.TIME_ZONE]
        cur.execute(f"SELECT MIN({_year_sql(column, kind)}), MAX({_year_sql(column, kind)}) FROM {_q(old)}",
                    tz + tz)
        first, last = cur.fetchone()
        wanted = set(years)
        if first is not None:
            wanted |= set(range(first, last + 1))
        for year in sorted(wanted):
            _create_partition(cur, table, kind, year)
        cur.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
    else:
        cur.execute(like)
    cols = _columns(cur, old)
    cur.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {_q(old)}")
    for col, identity, seq, _last in info["sequences"]:
        if not identity:  # a serial column: its sequence now belongs to the new table
            cur.execute(f"ALTER SEQUENCE {seq} OWNED BY {_q(table)}.{_q(col)}")
    cur.execute(f"DROP TABLE {_q(old)}")
    for col, identity, _seq, last in info["sequences"]:
        if identity:
            mode = "ALWAYS" if identity == "a" else "BY DEFAULT"
            cur.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(col)} ADD GENERATED {mode} AS IDENTITY")
            top = max(last or 0, _one(cur, f"SELECT MAX({_q(col)}) FROM {_q(table)}") or 0)
            if top:
                cur.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, col, top])
    for name, contype, definition, self_ref, keys, marked in info["constraints"]:
        new, mark = definition, False
        if contype in ("p", "u"):
            if partitioned and column not in keys:
                new, mark = _add_key_column(definition, column), True
            elif not partitioned and marked:
                new = _drop_key_column(definition, column)
        elif contype == "f" and self_ref:
            if partitioned:
                new, mark = _fk_with_key(definition, column, add=True), True
            elif marked:
                new = _fk_with_key(definition, column, add=False)
        elif contype == "x" and partitioned:
            raise PartitionError(f"{table} 的排除约束 {name} 无法用于分区表")
        cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {new}")
        if mark:
            cur.execute(f"COMMENT ON CONSTRAINT {_q(name)} ON {_q(table)} IS {_lit(MARK)}")
    for name, definition, unique, keys, marked in info["indexes"]:
        new, mark = definition, False
        if unique and partitioned and column not in keys:
            new, mark = _add_key_column(definition, column), True
        elif unique and not partitioned and marked:
            new = _drop_key_column(definition, column)
        cur.execute(new)
        if mark:
            cur.execute(f"COMMENT ON INDEX {name} IS {_lit(MARK)}")
    if info["owner"] != _one(cur, "SELECT current_user"):
        cur.execute(f"ALTER TABLE {_q(table)} OWNER TO {_q(info['owner'])}")
    for grantee, privilege in info["grants"]:
        cur.execute(f"GRANT {privilege} ON {_q(table)} TO {grantee}")
    cur.execute(f"ANALYZE {_q(table)}")


def is_partitioned(cur, table: str) -> bool:
    return bool(_one(cur, "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table]))


def partition(connection, table: str, column: str, *, self_references=()) -> None:
    """Turns a (populated) table into one partitioned by year of `column`, keeping every row, its ids and
    the sequence. `self_references` are the table's foreign keys to itself whose rows share the column's
    value with the row they point to (a reversal has the month of the payment it reverses): they become
    (fk, column) → (id, column). Any other foreign key into the table is refused: PostgreSQL can only
    reference a partitioned table through a key that contains the partition column."""
    with connection.cursor() as cur:
        if is_partitioned(cur, table):
            return
        cur.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
        info = _capture(cur, table)
        if info["foreign"]:
            raise PartitionError(f"{table} 被其他表的外键引用（{info['foreign']}），不能按年分区")
        if info["triggers"]:
            raise PartitionError(f"{table} 有触发器（{info['triggers']}），请先移除再分区")
        for name, contype, _definition, self_ref, keys, _marked in info["constraints"]:
            if contype == "f" and self_ref and not set(keys) <= set(self_references):
                raise PartitionError(f"{table} 的自引用外键 {name} 未声明与被引用行同属一个分区")
        old = f"{table}__unpartitioned"
        cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        this = timezone.localdate().year
        _rebuild(cur, table, old, info, column, partitioned=True, years=range(this, this + AHEAD + 1))


def unpartition(connection, table: str, column: str) -> None:
    """The reverse of `partition`: one plain table with the original keys again."""
    with connection.cursor() as cur:
        if not is_partitioned(cur, table):
            return
        cur.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
        info = _capture(cur, table)
        old = f"{table}__partitioned"
        cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        _rebuild(cur, table, old, info, column, partitioned=False)


def _partitioned(cur) -> list[tuple[str, str, str]]:
    """(table, partition column, its type) of the tables of the current schema partitioned by one range."""
    cur.execute("""
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_partitioned_table p
        JOIN pg_class c ON c.oid = p.partrelid
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
        WHERE p.partstrat = 'r' AND p.partnatts = 1 AND c.relnamespace = current_schema()::regnamespace
          AND NOT c.relispartition
        ORDER BY c.relname""")
    return cur.fetchall()


def partitioned_tables(using: str = "default") -> list[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        return [table for table, _, _ in _partitioned(cur)]


def ensure(*, ahead: int = AHEAD, years=(), using: str = "default") -> list[dict]:
    """Creates the missing yearly partitions of every table partitioned here: this year through `ahead`
    years on, the given `years`, and every year that has rows in a DEFAULT partition, whose rows are moved
    into it. Idempotent; set-based (one DELETE … RETURNING and one INSERT … SELECT per year moved).
    Returns [{"table", "created": [years], "moved": rows}] for the tables it changed; [] off PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    this = timezone.localdate().year
    base = set(range(this, this + ahead + 1)) | {int(y) for y in years}
    report = []
    with transaction.atomic(using=using), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        for table, column, type_name in _partitioned(cur):
            kind = _kind(type_name)
            cur.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' FROM pg_inherits i "
                        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass", [table])
            children = cur.fetchall()
            default = next((name for name, is_default in children if is_default), None)
            named = (re.fullmatch(rf"{re.escape(table)}_y(\d{{4}})", name) for name, _ in children)
            have = {int(m.group(1)) for m in named if m}
            in_default = set()
            if default:
                cur.execute(f"SELECT DISTINCT {_year_sql(column, kind)} FROM {_q(default)}",
                            [] if kind == "date" else [settings.TIME_ZONE])
                in_default = {y for (y,) in cur.fetchall() if y is not None}
            missing = sorted(y for y in base | in_default if y not in have and 1 <= y < 9999)
            moved = 0
            for year in missing:
                moved += _create_moving(cur, table, column, kind, year, default if year in in_default else None)
            if default is None:
                cur.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
            if missing or default is None:
                report.append({"table": table, "created": missing, "moved": moved})
    return report


def _create_moving(cur, table: str, column: str, kind: str, year: int, default: str | None) -> int:
    """Creates the year's partition; rows of that year in the DEFAULT partition are moved into it first
    (PostgreSQL refuses a new partition while DEFAULT holds rows of its range)."""
    if default is None:
        _create_partition(cur, table, kind, year)
        return 0
    lo, hi = _bounds(kind, year)
    cols = _columns(cur, table)
    # Foreign keys into the table (a reversal → its payment) are checked per partition: checked at the end
    # of each statement instead of at commit, a row and the row it references leave DEFAULT and arrive in
    # the new partition together.
    cur.execute("SELECT conname, condeferred FROM pg_constraint WHERE confrelid = %s::regclass "
                "AND contype = 'f' AND conparentid = 0 AND condeferrable", [table])
    refs = cur.fetchall()
    if refs:
        cur.execute(f"SET CONSTRAINTS {', '.join(_q(n) for n, _ in refs)} IMMEDIATE")
    temp = "_dangjian_moving"
    cur.execute(f"CREATE TEMPORARY TABLE {temp} (LIKE {_q(table)}) ON COMMIT DROP")
    cur.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s "
                f"RETURNING {cols}) INSERT INTO {temp} ({cols}) SELECT {cols} FROM moved", [lo, hi])
    n = cur.rowcount
    _create_partition(cur, table, kind, year)
    cur.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {temp}")
    cur.execute(f"DROP TABLE {temp}")
    deferred = [name for name, initially_deferred in refs if initially_deferred]
    if deferred:
        cur.execute(f"SET CONSTRAINTS {', '.join(map(_q, deferred))} DEFERRED")
    return n


def partitions_of(table: str, using: str = "default") -> list[tuple[str, str]]:
    """(partition, bound) of a partitioned table, for the command's listing and the tests."""
    with connections[using].cursor() as cur:
        cur.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                    "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY 1",
                    [table])
        return cur.fetchall()


def on_post_migrate(sender, using="default", verbosity=1, **kwargs):
    """After `migrate`: the coming year's partitions exist before they are needed."""
    for row in ensure(using=using):
        if verbosity >= 1 and row["created"]:
            print(f"  已创建分区 {row['table']}：{', '.join(map(str, row['created']))}年"
                  + (f"（从默认分区移入{row['moved']}行）" if row["moved"] else ""))
