"""Member roster import (党员名册导入): file -> plan -> one transaction.

`import_members(path, ...)` is a pure function of the file and the database, so the command line,
the web page and a background task call the same thing. It reads the whole file, validates every row
in memory against set-based lookups (orgs by code, active members by ID number, in chunks), and only
when no row is invalid writes everything with bulk inserts/updates (history rows included) inside one
transaction: an invalid row or an interruption leaves the database as it was.

A row's checks are the member form's (`members.validation.validate_member`), plus the roster's own:
unknown or non-branch organization, an ID repeated in the file, an ID held by an active member of
another organization (moving a member is a transfer, not an import), enumerated values, required cells.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from dangjian.core import audit, idcard
from dangjian.core.dates import DateError
from dangjian.core.scope import scope_for
from dangjian.members.choices import Category, Education, Gender, Status
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.members.validation import validate_member
from dangjian.orgs.models import Org

from . import columns as C
from .readers import ReadError, read_table
from .result import CREATE, ERROR, UNCHANGED, UPDATE, ImportResult, RowOutcome

CHUNK = 2000  # IN-list size for lookups and the batch size of bulk writes (well under SQLite's limits)
BY_NAME = {c.name: c for c in C.MEMBER_COLUMNS}
COLUMN_OF_FIELD = {c.key: c.name for c in C.MEMBER_COLUMNS}
# Model fields a roster row can set (the import never touches status, address, mobility, user).
ROW_FIELDS = ["name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
              "confirmed_on", "job", "phone", "org"]
# What a new member gets for a column the file does not have (gender and birth date come from the ID).
NEW_DEFAULTS = {"gender": None, "birth_date": None, "confirmed_on": None, "job": "", "phone": "", "ethnicity": "汉族"}
_ATTNAMES = [f.attname for f in Member._meta.concrete_fields]


def import_members(path, *, file_name: str | None = None, default_org: str | None = None, user=None, by=None,
                   dry_run: bool = False, source: str = "cli", progress=None) -> ImportResult:
    """Validate `path` and, when every row is valid and not `dry_run`, write it.

    `user`: whose scope limits the rows (None = the operator at the command line: everything).
    `by`: the actor recorded in history and the event log. `default_org`: code used for rows that
    name no organization. `progress(stage, done, total)`: called every CHUNK rows with stage "read"
    (total None: the file is streamed), "check" and finally "write" (before the one transaction).
    """
    plan = plan_members(path, file_name=file_name, default_org=default_org, user=user, progress=progress)
    if plan.result.ok and not dry_run:
        if progress is not None:
            progress("write", 0, len(plan.creates) + len(plan.updates))
        try:
            apply_plan(plan, by=by, source=source)
        except IntegrityError:
            # Someone registered one of these ID numbers between the check and the write; the
            # transaction rolled back, so the file can simply be imported again.
            plan.result.errors = [C.error(1, "公民身份号码", "", "导入期间名册已被他人修改，未写入任何数据，请重新导入")]
    return plan.result


class Plan:
    def __init__(self, result: ImportResult):
        self.result = result
        self.creates: list[dict] = []  # model field values
        self.updates: list[tuple[dict, dict, list[str]]] = []  # (existing attnames, new values, changed fields)


def _label(name: str, number: str) -> str:
    return f"{name}（{idcard.mask(number)}）" if number else name


def _display(field: str, value) -> str:
    if value is None or value == "":
        return ""
    if field == "gender":
        return Gender(value).label
    if field == "education":
        return Education(value).label
    if field == "category":
        return Category(value).label
    if field == "org":
        return value.code if isinstance(value, Org) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parse_row(number: int, raw: dict, default_org: str | None) -> tuple[dict, list[dict]]:
    """Cells -> model values. Only the columns present in the file appear in the result."""
    data: dict = {}
    errors: list[dict] = []

    def err(col: C.Column, value, message):
        errors.append(C.error(number, col.name, value, message))

    for name, cell in raw.items():
        col = BY_NAME[name]
        if col.kind == "date":
            text = C.clean_text(cell)
            try:
                value = C.clean_date(cell)
            except DateError as e:
                err(col, text, str(e))
                continue
        elif col.kind == "code":
            text = value = C.clean_code(cell)
        else:
            text = value = C.clean_text(cell)
        if value in ("", None):
            if col.key == "org" and default_org:
                data["org"] = default_org
                continue
            if col.required:
                err(col, "", f"请填写{col.name}")
                continue
            data[col.key] = None if col.kind == "date" or col.key == "gender" else ""
            continue
        if col.max_length and len(text) > col.max_length:
            err(col, text, f"{col.name}不能超过{col.max_length}个字")
            continue
        if col.key == "gender":
            value = C.GENDER_BY_LABEL.get(text)
            if value is None:
                err(col, text, "性别应为“男”或“女”")
                continue
        elif col.key == "category":
            value = C.CATEGORY_BY_LABEL.get(text)
            if value is None:
                err(col, text, "人员类别应为“正式党员”或“预备党员”")
                continue
        elif col.key == "education":
            value = C.EDUCATION_BY_LABEL.get(text)
            if value is None:
                err(col, text, "无法识别的学历，请填写：" + "、".join(Education.labels))
                continue
        elif col.key == "ethnicity":
            if text not in C.ETHNICITY_SET and text + "族" in C.ETHNICITY_SET:
                value = text + "族"  # “汉” for 汉族
            elif text not in C.ETHNICITY_SET:
                err(col, text, "无法识别的民族，请填写全称，如“汉族”“回族”")
                continue
        data[col.key] = value
    if "org" not in data and default_org:
        data["org"] = default_org
    return data, errors


def _lookup_orgs(codes) -> dict[str, Org]:
    codes = list(codes)
    out: dict[str, Org] = {}
    for i in range(0, len(codes), CHUNK):
        for org in Org.objects.filter(code__in=codes[i:i + CHUNK]):
            out[org.code] = org
    return out


def _lookup_active(numbers) -> dict[str, dict]:
    """Active members by ID number, as dicts of attnames (cheaper than model instances)."""
    numbers = list(numbers)
    out: dict[str, dict] = {}
    for i in range(0, len(numbers), CHUNK):
        qs = Member.objects.filter(id_number__in=numbers[i:i + CHUNK], status=Status.NORMAL).values_list(*_ATTNAMES)
        for values in qs:
            d = dict(zip(_ATTNAMES, values))
            out[d["id_number"]] = d
    return out


def plan_members(path, *, file_name=None, default_org=None, user=None, progress=None) -> Plan:
    file_name = file_name or Path(path).name
    result = ImportResult(kind="members", file_name=file_name)
    plan = Plan(result)
    try:
        header, rows = C.find_header(read_table(path, file_name), C.MEMBER_COLUMNS)
    except ReadError as e:
        result.errors.append(C.error(1, "", file_name, str(e)))
        return plan
    if header is None:
        result.errors.append(C.error(1, "", "", "未找到表头：第一行应为列名，如“姓名”“公民身份号码”“所在党组织编码”"))
        return plan
    result.errors += header.errors
    for col in C.MEMBER_COLUMNS:
        if col.required and col.name not in header.index and not (col.key == "org" and default_org):
            result.errors.append(C.error(header.row, col.name, "", f"缺少“{col.name}”列"))
    if result.errors:
        return plan

    # 1. cells -> values, row by row, in memory
    parsed = []
    try:
        for number, cells in rows:
            raw = {name: (cells[i] if i < len(cells) else "") for name, i in header.index.items()}
            if not any(C.clean_text(v) for v in raw.values()):
                continue  # blank lines between blocks of a roster
            data, errors = _parse_row(number, raw, default_org)
            parsed.append((number, raw, data, errors))
            if progress is not None and len(parsed) % CHUNK == 0:
                progress("read", len(parsed), None)
    except ReadError as e:
        result.errors.append(C.error(1, "", file_name, str(e)))
        return plan
    if not parsed:
        result.errors.append(C.error(header.row + 1, "", "", "文件中没有党员数据"))
        return plan

    # 2. set-based lookups
    orgs = _lookup_orgs({d["org"] for _, _, d, _ in parsed if d.get("org")})
    numbers = set()
    for _, _, d, _ in parsed:
        if d.get("id_number"):
            d["id_number"] = idcard.normalize(d["id_number"])
            numbers.add(d["id_number"])
    existing = _lookup_active(numbers)
    holders = _lookup_orgs_by_pk({m["org_id"] for m in existing.values()})
    scope = scope_for(user) if user is not None else None
    first_row_of: dict[str, int] = {}

    # 3. every row's outcome
    for i, (number, raw, data, errors) in enumerate(parsed):
        if progress is not None and i % CHUNK == 0:
            progress("check", i, len(parsed))
        bad_cols = {e["column"] for e in errors}
        name = data.get("name") or C.clean_text(raw.get("姓名"))
        outcome = RowOutcome(row=number, kind=ERROR, label=_label(name, data.get("id_number", "")))

        def err(field, message, _n=number, _e=errors, _raw=raw, _bad=bad_cols, _data=data):
            col = COLUMN_OF_FIELD.get(field, "公民身份号码")
            if col in _bad:
                return
            _bad.add(col)
            value = C.clean_text(_raw.get(col, _data.get(field)))
            _e.append(C.error(_n, col, value, message))

        org = None
        code = data.get("org")
        if code:
            org = orgs.get(code)
            if org is None:
                err("org", f"党组织编码“{code}”不存在")
            elif scope is not None and not scope.covers(org.path, "change_member"):
                err("org", "无权导入该党组织的党员")
                org = None
        number_ = data.get("id_number")
        current = existing.get(number_) if number_ else None
        # The form's checks, on the values the member will have after the import.
        if current:
            merged = {f: current[f if f != "org" else "org_id"] for f in ROW_FIELDS}
        else:
            merged = dict(NEW_DEFAULTS)
        merged.update({k: v for k, v in data.items() if k != "org"})
        for derived in ("gender", "birth_date"):
            if derived in data and data[derived] in (None, ""):
                merged[derived] = None  # an empty cell means “as in the ID number”
        merged["org"] = org
        merged["status"] = Status.NORMAL
        for field, message in validate_member(merged, check_unique=False).items():
            if field == "org" and org is None:
                continue
            err(field, message)
        if number_ and "公民身份号码" not in bad_cols:
            number_ = merged["id_number"]
            if number_ in first_row_of:
                err("id_number", f"与第{first_row_of[number_]}行的公民身份号码重复")
            else:
                first_row_of[number_] = number
                current = existing.get(number_)
                if current is not None and org is not None and current["org_id"] != org.pk:
                    holder = holders.get(current["org_id"])
                    if scope is None or (holder is not None and scope.covers(holder.path, "view")):
                        err("id_number", f"该公民身份号码已登记为“{holder.name if holder else ''}”的党员"
                                         f"{current['name']}，组织关系转移请使用转接功能")
                    else:
                        err("id_number", "该公民身份号码已是其他党组织的在册党员，组织关系转移请使用转接功能")
        if errors:
            outcome.errors = errors
            result.errors.extend(errors)
            result.rows.append(outcome)
            continue
        values = {f: merged[f] for f in ROW_FIELDS if f != "org"}
        values["org"] = org
        outcome.label = _label(values["name"], values["id_number"])
        if current is None:
            outcome.kind = CREATE
            plan.creates.append(values)
        else:
            changed = [f for f in ROW_FIELDS if f != "org" and values[f] != current[f]]
            if changed:
                outcome.kind = UPDATE
                outcome.changes = [(COLUMN_OF_FIELD[f], _display(f, current[f]), _display(f, values[f])) for f in changed]
                plan.updates.append((current, values, changed))
            else:
                outcome.kind = UNCHANGED
        result.rows.append(outcome)
    result.errors.sort(key=lambda e: e["row"])
    return plan


def _lookup_orgs_by_pk(pks) -> dict[int, Org]:
    pks = list(pks)
    out: dict[int, Org] = {}
    for i in range(0, len(pks), CHUNK):
        for org in Org.objects.filter(pk__in=pks[i:i + CHUNK]).only("pk", "name", "path", "code"):
            out[org.pk] = org
    return out


@functools.lru_cache(maxsize=50_000)
def _pinyin(name: str) -> tuple[str, str]:
    # Names repeat a lot in a roster (张伟, 王芳); the cache turns most lookups into a dict hit.
    return pinyin_keys(name)


def apply_plan(plan: Plan, *, by=None, source: str = "cli") -> None:
    """Write a valid plan in one transaction: bulk inserts, bulk updates, history, counters, one event."""
    result = plan.result
    assert result.ok, "apply_plan needs a plan without errors"
    reason = f"导入：{result.file_name}"[:100]
    now = timezone.now()
    direct: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    paths: dict[int, str] = {}

    def count(org_id, path, category, sign):
        direct[org_id][0 if category == Category.FULL else 1] += sign
        paths[org_id] = path

    with transaction.atomic():
        for values in plan.creates:
            org = values["org"]
            count(org.pk, org.path, values["category"], +1)
        if connection.vendor == "postgresql":
            _copy_create(plan.creates, reason=reason, by=by, now=now)
        else:
            new = []
            for values in plan.creates:
                m = Member(**values, org_path=values["org"].path, status=Status.NORMAL)
                m.name_pinyin, m.name_initials = _pinyin(m.name)
                new.append(m)
            for i in range(0, len(new), CHUNK):
                bulk_create_with_history(new[i:i + CHUNK], Member, batch_size=CHUNK, default_user=by,
                                         default_change_reason=reason, default_date=now)
        fields = set()
        changed_objs = []
        for current, values, changed in plan.updates:
            m = Member(**current)
            for f in changed:
                setattr(m, f, values[f])
            if "name" in changed:
                m.name_pinyin, m.name_initials = _pinyin(m.name)
                fields.update(("name_pinyin", "name_initials"))
            m.updated_at = now
            fields.update(changed)
            changed_objs.append(m)
            if "category" in changed:
                org = values["org"]
                count(org.pk, org.path, current["category"], -1)
                count(org.pk, org.path, m.category, +1)
        fields.add("updated_at")
        for i in range(0, len(changed_objs), CHUNK):
            bulk_update_with_history(changed_objs[i:i + CHUNK], Member, sorted(fields), batch_size=CHUNK,
                                     default_user=by, default_change_reason=reason, default_date=now)
        _apply_counts(direct, paths)
        touched = [values["org"].path for values in plan.creates] + [v["org"].path for _, v, _ in plan.updates]
        audit.record("member.import", actor=by, org_path=_common_path(touched), detail={
            "file": result.file_name, "source": source, **result.counts()})
    result.written = True


def _copy_create(creates: list[dict], *, reason: str, by, now) -> None:
    """PostgreSQL: COPY the new members and their “created” history rows (what
    bulk_create_with_history writes, an order of magnitude faster: no model instances, no INSERT
    statements). Primary keys are drawn from the table's sequence first, so each history row can
    name its member. The rows are the same as the bulk path's: field defaults, then the row's values."""
    if not creates:
        return
    table = Member._meta.db_table
    hist = Member.history.model
    fields = [f for f in Member._meta.concrete_fields]
    base = {f.attname: f.get_default() for f in fields}
    base.update(status=Status.NORMAL, created_at=now, updated_at=now)
    hfields = [f for f in hist._meta.concrete_fields if f.attname != "history_id"]
    hbase = {"history_date": now, "history_change_reason": reason, "history_type": "+",
             "history_user_id": by.pk if by is not None else None}
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(creates)])
        ids = [pk for (pk,) in cur.fetchall()]
        rows = []
        for pk, values in zip(ids, creates):
            row = dict(base)
            row.update(values)
            org = row.pop("org")
            row.update(id=pk, org_id=org.pk, org_path=org.path)
            row["name_pinyin"], row["name_initials"] = _pinyin(row["name"])
            rows.append(row)
        cols = ", ".join(q(f.column) for f in fields)
        with cur.cursor.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f.attname] for f in fields])
        hcols = ", ".join(q(f.column) for f in hfields)
        with cur.cursor.copy(f"COPY {q(hist._meta.db_table)} ({hcols}) FROM STDIN") as copy:
            for row in rows:
                row.update(hbase)
                copy.write_row([row[f.attname] for f in hfields])


def _apply_counts(direct: dict[int, list[int]], paths: dict[int, str]) -> None:
    """The org counters, incrementally: orgs that receive the same delta share one UPDATE, so the
    number of statements is bounded by the number of distinct deltas, not by the number of orgs."""
    by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
    subtree: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, (full, prob) in direct.items():
        if full or prob:
            by_delta[(full, prob)].append(org_id)
            path = paths[org_id]
            for i in range(Org.steplen, len(path) + 1, Org.steplen):
                s = subtree[path[:i]]
                s[0] += full
                s[1] += prob
    for (full, prob), ids in by_delta.items():
        for i in range(0, len(ids), CHUNK):
            Org.objects.filter(pk__in=ids[i:i + CHUNK]).update(
                direct_full=F("direct_full") + full, direct_probationary=F("direct_probationary") + prob)
    by_sub: dict[tuple[int, int], list[str]] = defaultdict(list)
    for path, (full, prob) in subtree.items():
        if full or prob:
            by_sub[(full, prob)].append(path)
    for (full, prob), ps in by_sub.items():
        for i in range(0, len(ps), CHUNK):
            Org.objects.filter(path__in=ps[i:i + CHUNK]).update(
                subtree_full=F("subtree_full") + full, subtree_probationary=F("subtree_probationary") + prob)


def _common_path(paths: list[str]) -> str:
    """The deepest org path above everything the import touched (so the event shows in that subtree)."""
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[: n - n % Org.steplen]
