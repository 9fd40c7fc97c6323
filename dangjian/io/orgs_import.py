"""Organization import (党组织导入): file -> plan -> one transaction.

Rows may name a parent that appears later in the file (or already exists); the plan orders rows so
that parents come first, and reports cycles and unknown parents per row. An existing organization
whose 上级党组织编码 changes is moved with `orgs.actions.move_org` (隶属关系调整); other changes go
through `update_org`, new ones through `create_org`. Organizations are few (thousands, not
millions), so writing them one action at a time keeps the tree's invariants in treebeard's hands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import audit
from dangjian.core.dates import DateError
from dangjian.core.scope import scope_for
from dangjian.orgs import actions as org_actions
from dangjian.orgs.models import BRANCH_TYPES, Domain, Org, OrgType

from . import columns as C
from .named_branches import committees_called, listed
from .readers import ReadError, read_sheets
from .result import CREATE, ERROR, UNCHANGED, UPDATE, ImportResult, RowOutcome, place

COLUMN_OF_FIELD = {c.key: c.name for c in C.ORG_COLUMNS}
DATA_FIELDS = ["code", "name", "org_type", "domain", "founded_on"]


def import_orgs(path, *, file_name: str | None = None, user=None, by=None, dry_run: bool = False,
                source: str = "cli", progress=None) -> ImportResult:
    # Org files are small (a county has hundreds of orgs): progress reports only the write stage.
    plan = plan_orgs(path, file_name=file_name, user=user)
    if plan.result.ok and not dry_run:
        if progress is not None:
            progress("write", 0, len(plan.result.rows))
        try:
            apply_plan(plan, by=by, source=source)
        except ImportAborted as e:
            plan.result.errors = [e.error]
    return plan.result


class Plan:
    def __init__(self, result: ImportResult):
        self.result = result
        # (depth, (sheet index, row), kind, data, existing Org or None, move?) in dependency order
        self.steps: list[tuple] = []
        self.sheets: list[str] = [""]  # the names of a workbook's sheets read together; [""] for one sheet


def _display(field, value) -> str:
    if value is None or value == "":
        return ""
    if field == "org_type":
        return OrgType(value).label
    if field == "domain":
        return Domain(value).label
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parse_row(number: int, raw: dict) -> tuple[dict, list[dict]]:
    data: dict = {}
    errors: list[dict] = []
    for name, cell in raw.items():
        col = _BY_NAME[name]
        if col.kind == "date":
            try:
                data[col.key] = C.clean_date(cell)
            except DateError as e:
                errors.append(C.error(number, col.name, C.clean_text(cell), str(e)))
            continue
        text = C.clean_code(cell) if col.kind == "code" else C.clean_text(cell)
        if col.kind == "code" and (lost := C.lost_digits(cell)) is not None:
            errors.append(C.error(number, col.name, *lost))
            continue
        if not text:
            if col.required:
                errors.append(C.error(number, col.name, "", f"请填写{col.name}"))
            else:
                data[col.key] = None if col.key == "parent" else ""
            continue
        if col.max_length and len(text) > col.max_length:
            errors.append(C.error(number, col.name, text, f"{col.name}不能超过{col.max_length}个字"))
            continue
        if col.key == "org_type":
            value = C.ORG_TYPE_BY_LABEL.get(text)
            if value is None:
                errors.append(C.error(number, col.name, text, "党组织类别应为：" + "、".join(OrgType.labels)))
                continue
            text = value
        elif col.key == "domain":
            value = C.DOMAIN_BY_LABEL.get(text)
            if value is None:
                errors.append(C.error(number, col.name, text, "所属领域应为：" + "、".join(Domain.labels)))
                continue
            text = value
        data[col.key] = text
    data.setdefault("parent", None)
    return data, errors


_BY_NAME = {c.name: c for c in C.ORG_INPUT_COLUMNS}


def _parents_by_name(order: list[tuple], user) -> None:
    """Each row's 上级党组织 name -> that organization's code in `data["parent"]`: another row of the file of that
    name, else the one organization of that name the user can see. A name that is no such organization, or that
    several share, is the row's error; an empty cell is a top-level organization."""
    in_file: dict[str, list[str]] = {}
    for _, _, data, _, _ in order:
        if data.get("name") and data.get("code"):
            in_file.setdefault(data["name"], []).append(data["code"])
    wanted = {d["parent_name"] for _, _, d, _, _ in order if d.get("parent_name")} - set(in_file)
    scope = scope_for(user) if user is not None else None
    known = C.org_codes_by_name(wanted, scope) if wanted else {}
    # a name no organization has in full may call a committee by its place (城关镇党委: 中共东县城关镇委员会)
    called = committees_called({n for n in wanted if n not in known}, scope) if wanted else {}
    for number, _, data, errors, _ in order:
        name = data.pop("parent_name", None)
        if not name:
            continue
        codes = in_file.get(name) or known.get(name) or [code for code, _name, _path in called.get(name, ())]
        if len(codes) == 1:
            data["parent"] = codes[0]
            continue
        if not known.get(name) and len(called.get(name, ())) > 1:
            message = (f"“{name}”对应{len(codes)}个党组织（{listed([n for _code, n, _path in called[name]])}），请写上级党组织全称"
                       f"或改用“{COLUMN_OF_FIELD['parent']}”列")
        else:
            message = C.org_name_error(name, len(codes), COLUMN_OF_FIELD["parent"],
                                       scope is not None and not scope.everything)
        errors.append(C.error(number, C.PARENT_NAME.name, name, message))


def plan_orgs(path, *, file_name=None, user=None) -> Plan:
    file_name = file_name or Path(path).name
    result = ImportResult(kind="orgs", file_name=file_name)
    plan = Plan(result)
    passed_over: list[str] = []
    try:
        sheets = C.roster_sheets(read_sheets(path, file_name), C.ORG_INPUT_COLUMNS, passed_over)
    except ReadError as e:
        result.errors.append(C.error(1, "", file_name, str(e)))
        return plan
    if not sheets:
        result.errors.append(C.error(1, "", "", "未找到表头：第一行应为列名，如“党组织编码”“党组织名称”"))
        return plan
    # A workbook with several sheets of organizations is read sheet after sheet; rows say their sheet.
    names = plan.sheets = [name for name, _, _ in sheets] if len(sheets) > 1 else [""]
    if len(sheets) + len(passed_over) > 1:
        result.sheets = {"read": [[name, 0] for name, _, _ in sheets], "passed_over": passed_over}
    for index, (_, header, _) in enumerate(sheets):
        mark = len(result.errors)
        result.errors += header.errors
        for col in C.ORG_COLUMNS:
            if col.required and header.lacks(col.name):
                result.errors.append(C.missing(header, col))
        C.stamp(result.errors, mark, names[index])
    if result.errors:
        return plan

    parsed: dict[str, tuple] = {}  # code -> (row, raw, data, errors, sheet index)
    order: list[tuple] = []
    name_sheets: set[int] = set()  # the sheets that name parents (上级党组织) instead of giving their codes
    for index, (_, header, rows) in enumerate(sheets):
        index_of = header.index
        if C.PARENT_NAME.name in index_of:
            if COLUMN_OF_FIELD["parent"] in index_of:  # the code decides; the name is not read
                index_of = {n: i for n, i in index_of.items() if n != C.PARENT_NAME.name}
            else:
                name_sheets.add(index)
        try:
            for number, cells in rows:
                raw = {name: (cells[i] if i < len(cells) else "") for name, i in index_of.items()}
                if all(C.clean_text(v) == "" for v in raw.values()):
                    continue
                data, errors = _parse_row(number, raw)
                if errors and C.is_footer(raw.values()) or (data.get("code"), data.get("name")) == C.EXAMPLE_ORG:
                    continue  # 合计：12个, 填表人：…; the template's example row
                entry = (number, raw, data, errors, index)
                order.append(entry)
                if result.sheets:
                    result.sheets["read"][index][1] += 1
                code = data.get("code")
                if code and code in parsed:
                    errors.append(C.error(number, "党组织编码", code, f"与{place(parsed[code][0], names[parsed[code][4]])}的党组织编码重复"))
                elif code:
                    parsed[code] = entry
        except ReadError as e:
            result.errors.append(C.error(1, "", file_name, str(e)))
            C.stamp(result.errors, 0, names[index])
            return plan
    if not order:
        result.errors.append(C.error(sheets[0][1].last_row + 1, "", "", "文件中没有党组织数据"))
        return plan
    if name_sheets:
        _parents_by_name(order, user)

    # Existing orgs the file names, plus all their ancestors: enough to walk every effective chain.
    codes = set(parsed) | {d["parent"] for _, _, d, _, _ in order if d.get("parent")}
    db = {o.code: o for o in Org.objects.filter(code__in=list(codes))}
    ancestor_paths = {p for o in db.values() for p in o.ancestor_paths()}
    by_path = {o.path: o for o in Org.objects.filter(path__in=list(ancestor_paths))}
    by_path.update({o.path: o for o in db.values()})
    scope = scope_for(user) if user is not None else None

    def parent_code(code):
        """The parent after the import: the file's word for rows in it, the database's otherwise."""
        if code in parsed:
            return parsed[code][2].get("parent")
        org = db.get(code) or next((o for o in by_path.values() if o.code == code), None)
        if org is None or org.depth <= 1:
            return None
        parent = by_path.get(org.path[: -Org.steplen])
        return parent.code if parent else None

    def org_type(code):
        if code in parsed and parsed[code][2].get("org_type"):
            return parsed[code][2]["org_type"]
        org = db.get(code)
        return org.org_type if org else None

    # Codes Excel may have taken the leading zeros from (0011 typed into a numeric cell is kept as 11): a new
    # all-digit code that an existing organization of the row's name has with zeros, and an unknown parent code
    # that one organization has with zeros (the first thousand: each is an error anyway).
    new_digits = [d for _, _, d, _, _ in order if (d.get("code") or "").isdigit() and d["code"] not in db and d.get("name")]
    same_name = C.org_codes_by_name({d["name"] for d in new_digits}, scope) if new_digits else {}
    padded = {}
    for d in new_digits:
        hits = [c for c in same_name.get(d["name"], ()) if c != d["code"] and c.lstrip("0") == d["code"].lstrip("0")]
        if len(hits) == 1:
            padded[d["code"]] = (hits[0], d["name"])
    unknown = {d["parent"] for _, _, d, _, _ in order if (d.get("parent") or "").isdigit() and d["parent"] not in parsed
               and d["parent"] not in db}
    padded.update(C.codes_with_zeros(sorted(unknown)[:1000], scope) if unknown else {})

    depth: dict[str, int] = {}
    for number, raw, data, errors, _ in order:
        code = data.get("code")
        if not code or errors and any(e["column"] == "党组织编码" for e in errors):
            continue
        if code in padded and code not in db and padded[code][1] == data.get("name"):
            # a new organization of an existing one's name whose code is this one's with zeros: the same
            # organization with its code damaged, which would otherwise be added a second time
            errors.append(C.error(number, "党组织编码", code, f"党组织编码“{code}”不存在，已有同名党组织"
                                  + C.lost_zeros(code, padded[code][0])))
            continue
        parent = data.get("parent")
        if parent and parent not in parsed and parent not in db:
            hint = C.lost_zeros(parent, padded[parent][0]) if parent in padded else ""
            errors.append(C.error(number, "上级党组织编码", parent, f"上级党组织编码“{parent}”不存在{hint}"))
            continue
        # Walk up; a repeated code is a cycle (A → B → A).
        chain, seen, cur = [code], {code}, parent
        while cur is not None:
            if cur in seen:
                chain.append(cur)
                break
            chain.append(cur)
            seen.add(cur)
            cur = parent_code(cur)
        if cur is not None:
            errors.append(C.error(number, "上级党组织编码", parent or "",
                                  "上级关系形成循环：" + " → ".join(chain[chain.index(cur):])))
            continue
        depth[code] = len(chain)
        if parent and org_type(parent) in BRANCH_TYPES:
            errors.append(C.error(number, "上级党组织编码", parent,
                                  f"上级“{parent}”是{OrgType(org_type(parent)).label}，不能设下级党组织"))

    # Changes against the database, scope, and the tree rules of orgs.actions.
    for number, raw, data, errors, index in order:
        code = data.get("code")
        existing = db.get(code) if code else None
        parent = data.get("parent")
        label = f"{code or ''} {data.get('name') or C.clean_text(raw.get('党组织名称'))}".strip()
        outcome = RowOutcome(row=number, kind=ERROR, label=label, sheet=names[index])
        if not errors:
            _check_row(number, data, existing, db, by_path, parsed, scope, errors)
        if errors:
            outcome.errors = errors
            if index in name_sheets:  # the parent as the file gives it: by name (the value is its code)
                for e in errors:
                    if e["column"] == COLUMN_OF_FIELD["parent"]:
                        e["column"] = C.PARENT_NAME.name
            C.stamp(errors, 0, names[index])
            result.errors.extend(errors)
            result.add(outcome)
            continue
        if existing is None:
            outcome.kind = CREATE
            plan.steps.append((depth[code], (index, number), CREATE, data, None, False))
        else:
            old_parent = by_path.get(existing.path[: -Org.steplen]) if existing.depth > 1 else None
            changes = [(COLUMN_OF_FIELD[f], _display(f, getattr(existing, f)), _display(f, data[f]))
                       for f in DATA_FIELDS if f in data and data[f] != getattr(existing, f)]
            moved = (old_parent.code if old_parent else None) != parent
            if moved:
                changes.append(("上级党组织编码", old_parent.code if old_parent else "", parent or ""))
            outcome.kind = UPDATE if changes else UNCHANGED
            outcome.changes = changes
            if changes:
                plan.steps.append((depth[code], (index, number), UPDATE, data, existing, moved))
        result.add(outcome)
    position = {name: i for i, name in enumerate(names)}
    result.errors.sort(key=lambda e: (position.get(e.get("sheet", ""), 0), e["row"]))
    plan.steps.sort(key=lambda s: (s[0], s[1]))  # parents before children, then file order
    return plan


def _check_row(number, data, existing, db, by_path, parsed, scope, errors) -> None:
    code, parent = data["code"], data.get("parent")

    def err(col, value, message):
        errors.append(C.error(number, col, value or "", message))

    if existing is not None and parent is None and existing.depth > 1:
        err("上级党组织编码", "", "已有的下级党组织不能改为顶级党组织，请填写上级党组织编码")
    if existing is not None and data.get("org_type"):
        if existing.org_type in BRANCH_TYPES and data["org_type"] not in BRANCH_TYPES and existing.members.exists():
            err("党组织类别", OrgType(data["org_type"]).label, "该支部还有党员，不能改为非支部类别")
        if data["org_type"] in BRANCH_TYPES and (
                existing.numchild or any(e[2].get("parent") == code for e in parsed.values())):
            err("党组织类别", OrgType(data["org_type"]).label, "该组织有下级党组织，不能改为支部类别")
    if scope is None:
        return
    # The nearest organization that exists today above the row's (new) place decides the scope.
    anchor, cur, hops = None, parent, 0
    while cur is not None and hops < 1000:
        if cur in db:
            anchor = db[cur]
            break
        cur = parsed[cur][2].get("parent") if cur in parsed else None
        hops += 1
    if existing is not None and not scope.covers(existing.path, "change_org"):
        err("党组织编码", code, "无权修改该党组织")
    elif anchor is None and parent is None and not scope.everything:
        err("上级党组织编码", "", "无权新增顶级党组织")
    elif anchor is not None and not scope.covers(anchor.path, "change_org"):
        err("上级党组织编码", parent, "无权在该上级党组织下新增或调入党组织")


def apply_plan(plan: Plan, *, by=None, source: str = "cli") -> None:
    result = plan.result
    assert result.ok, "apply_plan needs a plan without errors"
    reason = f"导入：{result.file_name}"[:100]
    touched: list[str] = []
    with transaction.atomic():
        for _depth, (index, number), kind, data, existing, moved in plan.steps:
            fields = {k: v for k, v in data.items() if k in DATA_FIELDS}
            parent = Org.objects.get(code=data["parent"]) if data.get("parent") else None
            try:
                if kind == CREATE:
                    org = org_actions.create_org(fields, parent=parent, by=by, source=reason)
                else:
                    org = existing
                    if moved:
                        org = org_actions.move_org(org, parent, by=by, reason=reason)
                    org_actions.update_org(org, fields, by=by, source=reason)
            except ValidationError as e:
                # The plan checked these rules already; a clash here means the database changed
                # in between. Roll everything back and say which row.
                messages = "；".join(m for ms in getattr(e, "message_dict", {"": e.messages}).values() for m in ms)
                error = C.error(number, "", data.get("code"), messages)
                C.stamp([error], 0, plan.sheets[index])
                raise ImportAborted(error) from None
            touched.append(org.path)
        audit.record("org.import", actor=by, org_path=_common(touched), detail={
            "file": result.file_name, "source": source, **result.counts()})
    result.written = True


class ImportAborted(Exception):
    def __init__(self, error: dict):
        super().__init__(error["message"])
        self.error = error


def _common(paths):
    from .members_import import _common_path

    return _common_path(paths)
