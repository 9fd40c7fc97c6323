"""Every write to disclosure items: validate, one transaction, audit.

Life of an item: draft → published → (corrected by a new version | withdrawn). Only drafts are
edited; a published item is never changed in place (its correction is a new row, `correct`).
Who may call these is decided by the callers from `DisclosureItem.objects.restrict(user,
WRITE_ACTION)` / `Org.objects.restrict(user, WRITE_ACTION)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.dates import form_date
from dangjian.rules.base import value as value_of

from .. import public_cache
from ..models import (
    EDITABLE,
    Attachment,
    CatalogEntry,
    Category,
    DisclosureItem,
    FinanceLine,
    Frequency,
    LineKind,
    Matter,
    Review,
    Status,
)
from ..sanitize import sanitize, text_of
from .common import _money, _pii_message, _user, _yuan
from .matters import _check_occurred_on, _new_matter

FIELDS = ("category", "title", "body", "period_label", "period_start", "period_end",
          "declared_income", "declared_expense")
# What ties an item to the catalogue: the entry, its period, and for an immediate entry the matter (a registered one,
# or the day a new one occurred).
CATALOG_KEYS = ("catalog_entry", "period", "matter", "occurred_on")
MAX_LINES = 500
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Extension → (content type, leading bytes of such a file). The bytes are checked too: a renamed
# executable must not be served as a "PDF".
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
}


def _clean(data: dict, lines: list[dict] | None) -> tuple[dict, list[dict] | None]:
    """The validated field values and finance lines, or a ValidationError naming each field."""
    errors: dict[str, list[str]] = {}

    def err(field, msg):
        errors.setdefault(field, []).append(msg)

    out: dict = {}
    category = data.get("category") or ""
    if category not in Category.values:
        err("category", "请选择公开类别（党务公开、村务公开或财务公开）")
    out["category"] = category
    title = " ".join((data.get("title") or "").split())
    if not title:
        err("title", "请填写标题")
    elif len(title) > 200:
        err("title", "标题不能超过200个字")
    out["title"] = title
    out["body"] = sanitize(data.get("body") or "")
    if len(out["body"]) > 200_000:
        err("body", "正文过长（超过20万字符），请把大表格作为附件上传")
    out["period_label"] = " ".join((data.get("period_label") or "").split())[:50]
    for f, label in (("period_start", "期间开始"), ("period_end", "期间结束")):
        try:
            out[f] = form_date(data.get(f), label)
        except ValidationError as e:
            err(f, e.messages[0])
    if out.get("period_start") and out.get("period_end") and out["period_end"] < out["period_start"]:
        err("period_end", "期间结束日期不能早于开始日期")
    for f, label in (("declared_income", "收入合计"), ("declared_expense", "支出合计")):
        try:
            out[f] = _money(data.get(f), label)
        except ValidationError as e:
            err(f, e.messages[0])
    if category != Category.FINANCE and (out.get("declared_income") is not None or out.get("declared_expense") is not None):
        err("category", "只有财务公开可以填写收支合计")

    clean_lines = None
    if lines is not None:
        clean_lines = []
        if lines and category != Category.FINANCE:
            err("lines", "只有财务公开可以填写收支明细")
        if len(lines) > MAX_LINES:
            err("lines", f"收支明细最多{MAX_LINES}行，更多请作为附件上传")
        for n, raw in enumerate(lines[:MAX_LINES], start=1):
            kind = raw.get("kind") or ""
            item = " ".join((raw.get("item") or "").split())
            note = " ".join((raw.get("note") or "").split())[:200]
            if kind not in LineKind.values:
                err("lines", f"第{n}行：请选择收入或支出")
            if not item:
                err("lines", f"第{n}行：请填写项目名称")
            elif len(item) > 200:
                err("lines", f"第{n}行：项目名称不能超过200个字")
            try:
                amount = _money(raw.get("amount"), f"第{n}行金额")
            except ValidationError as e:
                err("lines", e.messages[0])
                amount = None
            else:
                if amount is None:
                    err("lines", f"第{n}行：请填写金额")
            for text, label in ((item, f"第{n}行项目"), (note, f"第{n}行备注")):
                msg = _pii_message(label, text)
                if msg:
                    err("lines", msg)
            clean_lines.append({"kind": kind, "item": item, "amount": amount, "note": note, "position": n})

    # The declared totals must add up: checked against the lines given, or the lines already saved
    # (the caller passes the saved ones when it keeps them).
    if clean_lines is not None and not errors.get("lines"):
        for f, kind, label in (("declared_income", LineKind.INCOME, "收入"),
                               ("declared_expense", LineKind.EXPENSE, "支出")):
            declared = out.get(f)
            if declared is None:
                continue
            total = sum((ln["amount"] for ln in clean_lines if ln["kind"] == kind), Decimal("0.00"))
            if declared != total:
                err(f, f"{label}合计填写为 {_yuan(declared)} 元，但各项{label}相加为 {_yuan(total)} 元，两者必须一致")

    for f, label in (("title", "标题"), ("period_label", "公开期间")):
        msg = _pii_message(label, out.get(f, ""))
        if msg:
            err(f, msg)
    msg = _pii_message("正文", text_of(out["body"]))
    if msg:
        err("body", msg)
    if errors:
        raise ValidationError(errors)
    return out, clean_lines


def _saved_lines(item: DisclosureItem) -> list[dict]:
    return [{"kind": ln.kind, "item": ln.item, "amount": ln.amount, "note": ln.note}
            for ln in item.lines.all()]


def _write_lines(item: DisclosureItem, lines: list[dict]) -> None:
    item.lines.all().delete()
    FinanceLine.objects.bulk_create([FinanceLine(disclosure=item, **ln) for ln in lines])


class NewMatter:
    """A major matter to register together with the item that publishes it (the item form's 事项发生日期)."""

    def __init__(self, occurred_on: dt.date):
        self.occurred_on = occurred_on


def _catalog(org, data: dict, category: str, *, current_matter: Matter | None = None,
             require_matter: bool = True) -> dict:
    """{"catalog_entry": entry | None, "period": label, "matter": Matter | NewMatter | None} from
    data["catalog_entry"] (an entry or its id), data["period"] and, for an entry of frequency `immediate`,
    data["matter"] (a registered matter or its id) or data["occurred_on"] (register one). The entry must bind
    `org`, match the category, and the period its frequency. `current_matter` is kept when neither is given;
    `require_matter` False lets an item saved before matters existed keep none."""
    raw = data.get("catalog_entry")
    period = (data.get("period") or "").strip()
    raw_matter = data.get("matter")
    try:
        occurred_on = form_date(data.get("occurred_on"), "事项发生日期")
    except ValidationError as e:
        raise ValidationError({"occurred_on": e.messages}) from None
    if raw in (None, ""):
        if period:
            raise ValidationError({"period": "只有公开目录中的事项需要填写目录期间"})
        if raw_matter not in (None, "") or occurred_on:
            raise ValidationError({"occurred_on": "只有公开目录中随时公开的事项需要填写事项发生日期"})
        return {"catalog_entry": None, "period": "", "matter": None}
    entry_id = raw.pk if isinstance(raw, CatalogEntry) else raw
    entry = CatalogEntry.objects.applying_to(org).filter(pk=entry_id).first() if str(entry_id).isdigit() else None
    if entry is None:
        raise ValidationError({"catalog_entry": f"公开目录事项“{raw}”不适用于{org.name}"})
    if category and category != entry.category:
        raise ValidationError({"category": f"公开目录事项“{entry.title}”属于{entry.get_category_display()}"})
    if entry.frequency == Frequency.IMMEDIATE:
        if period:
            raise ValidationError({"period": "随时公开的事项不填写目录期间"})
        matter = _item_matter(org, entry, raw_matter, occurred_on, current=current_matter, required=require_matter)
        return {"catalog_entry": entry, "period": "", "matter": matter}
    if raw_matter not in (None, "") or occurred_on:
        raise ValidationError({"occurred_on": f"“{entry.title}”{entry.get_frequency_display()}公开，"
                                              "不填写事项发生日期（只有随时公开的事项需要）"})
    from dangjian.rules import disclosure as rules
    from dangjian.rules.meetings import period_bounds

    want = rules.FREQUENCY_PERIOD[entry.frequency]
    examples = {"month": "2025-07", "quarter": "2025-Q3", "year": "2025"}
    try:
        period_bounds(period)
        ok = (len(period) == 4) == (want == "year") and ("Q" in period) == (want == "quarter")
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError({"period": f"“{entry.title}”{entry.get_frequency_display()}公开，"
                                         f"目录期间应写成{examples[want]}这样的格式"})
    return {"catalog_entry": entry, "period": period, "matter": None}


def _item_matter(org, entry, raw, occurred_on, *, current, required):
    """The matter an item of the immediate entry `entry` publishes: the registered one named by `raw`, a NewMatter
    for `occurred_on`, or `current`."""
    from dangjian.rules import disclosure as rules

    if raw not in (None, ""):
        matter_id = raw.pk if isinstance(raw, Matter) else raw
        matter = (Matter.objects.filter(pk=matter_id, org=org).select_related("catalog_entry").first()
                  if str(matter_id).isdigit() else None)
        if matter is None:
            raise ValidationError({"matter": f"{org.name}没有这项待公开事项"})
        if matter.catalog_entry_id != entry.pk:
            raise ValidationError({"matter": f"待公开事项“{matter.title}”属于公开目录事项“{matter.catalog_entry.title}”"})
        if matter.cancelled_at is not None:
            raise ValidationError({"matter": f"待公开事项“{matter.title}”已撤销登记，请重新选择或填写事项发生日期"})
        if occurred_on and occurred_on != matter.occurred_on:
            raise ValidationError({"occurred_on": f"已选择待公开事项“{matter.title}”（发生于"
                                                  f"{matter.occurred_on:%Y-%m-%d}），不必再填写发生日期"})
        return matter
    if occurred_on:
        _check_occurred_on(occurred_on, "occurred_on")
        return NewMatter(occurred_on)
    if current is not None and current.catalog_entry_id == entry.pk and current.cancelled_at is None:
        return current
    if current is not None and current.cancelled_at is not None:
        raise ValidationError({"matter": f"待公开事项“{current.title}”已撤销登记，请重新选择或填写事项发生日期"})
    if not required:
        return None
    days = int(value_of(rules.MAJOR_WITHIN_DAYS))
    raise ValidationError({"occurred_on": f"“{entry.title}”随时公开：请填写事项发生日期（如会议表决、上级批复之日），"
                                          f"自该日起{days}日内应当公开"})


def _with_matter(org, values: dict, title: str, by) -> dict:
    """`values` with a NewMatter replaced by the matter it registers (named after the item)."""
    if isinstance(values.get("matter"), NewMatter):
        values = {**values, "matter": _new_matter(org, values["catalog_entry"], title=title,
                                                  occurred_on=values["matter"].occurred_on, note="", by=by)}
    return values


@transaction.atomic
def create_draft(org, data: dict, *, lines: list[dict] | None = None, by=None) -> DisclosureItem:
    if data.get("catalog_entry") not in (None, "") and not data.get("category"):
        entry = CatalogEntry.objects.filter(pk=getattr(data["catalog_entry"], "pk", data["catalog_entry"])).first()
        data = {**data, "category": entry.category if entry else ""}
    values, clean_lines = _clean(data, lines if lines is not None else [])
    values.update(_catalog(org, data, values["category"]))
    values = _with_matter(org, values, values["title"], by)
    item = DisclosureItem.objects.create(org=org, org_path=org.path, created_by=_user(by), **values)
    if clean_lines:
        _write_lines(item, clean_lines)
    audit.record("disclosure.create", actor=by, obj=item, detail={"org": org.code, "category": item.category})
    return item


@transaction.atomic
def update_draft(item: DisclosureItem, data: dict, *, lines: list[dict] | None = None, by=None) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in EDITABLE:
        raise ValidationError("只有草稿或被退回的内容可以修改；已公开的内容请用“更正”发布新版本")
    merged = {f: data.get(f, getattr(item, f)) for f in FIELDS}
    values, clean_lines = _clean(merged, lines if lines is not None else _saved_lines(item))
    touched = any(f in data for f in CATALOG_KEYS)
    values.update(_catalog(item.org, {
        "catalog_entry": data.get("catalog_entry", item.catalog_entry_id), "period": data.get("period", item.period),
        "matter": data.get("matter"), "occurred_on": data.get("occurred_on"),
    }, values["category"], current_matter=item.matter, require_matter=touched))
    values = _with_matter(item.org, values, values["title"], by)
    fields = (*FIELDS, "catalog_entry", "period", "matter")
    changed = [f for f in fields if values[f] != getattr(item, f)]
    for f in changed:
        setattr(item, f, values[f])
    item.status = Status.DRAFT  # a returned item edited is a draft again, to be submitted anew
    item.save()
    if lines is not None:
        _write_lines(item, clean_lines)
        changed.append("lines")
    audit.record("disclosure.update", actor=by, obj=item, detail={"fields": changed})
    return item


@transaction.atomic
def publish(item: DisclosureItem, *, by=None) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update(of=("self",)).select_related("catalog_entry").get(pk=item.pk)
    review = item.catalog_entry.review if item.catalog_entry else Review.NONE
    if review != Review.NONE and item.status != Status.APPROVED:
        raise ValidationError(f"“{item.title}”按公开目录须经{item.catalog_entry.get_review_display()}，"
                              f"审核通过后才能公开（当前状态：{item.get_status_display()}）")
    if review == Review.NONE and item.status not in (Status.DRAFT, Status.APPROVED):
        raise ValidationError(f"“{item.title}”当前状态为{item.get_status_display()}，只有草稿可以公开")
    # Re-check the saved content: rules (totals, personal numbers) may be stricter than when drafted.
    _clean({f: getattr(item, f) for f in FIELDS}, _saved_lines(item))
    if not item.body and not item.lines.exists() and not item.attachments.exists():
        raise ValidationError({"body": "公开内容为空：请填写正文、收支明细或上传附件后再公开"})
    item.status = Status.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit.record("disclosure.publish", actor=by, obj=item, detail={"version": item.version})
    public_cache.changed(item.org)
    return item


@transaction.atomic
def correct(item: DisclosureItem, data: dict, *, lines: list[dict] | None = None, note: str, by=None) -> DisclosureItem:
    """更正: publish a new version of a published item. The old version stays readable, marked as
    replaced; fields not given are taken over from it, attachments too."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.PUBLISHED:
        raise ValidationError(f"只有已公开的内容可以更正（当前状态：{item.get_status_display()}）")
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"correction_note": "请填写更正说明（更正了什么、为什么）"})
    if len(note) > 200:
        raise ValidationError({"correction_note": "更正说明不能超过200个字"})
    merged = {f: data.get(f, getattr(item, f)) for f in FIELDS}
    if merged["category"] != item.category:
        raise ValidationError({"category": "更正不能改变公开类别；请撤回后重新发布"})
    values, clean_lines = _clean(merged, lines if lines is not None else _saved_lines(item))
    now = timezone.now()
    item.status = Status.SUPERSEDED
    item.save(update_fields=["status", "updated_at"])
    new = DisclosureItem.objects.create(
        org=item.org, org_path=item.org_path, created_by=_user(by), supersedes=item, version=item.version + 1,
        catalog_entry=item.catalog_entry, period=item.period, matter=item.matter,
        correction_note=note, status=Status.PUBLISHED, published_at=now, **values,
    )
    _write_lines(new, clean_lines)
    Attachment.objects.bulk_create([
        Attachment(disclosure=new, file=a.file.name, name=a.name, content_type=a.content_type, size=a.size)
        for a in item.attachments.all()
    ])
    public_cache.changed(item.org)
    audit.record("disclosure.correct", actor=by, obj=new, detail={
        "supersedes": item.pk, "version": new.version, "note": note,
    })
    return new


@transaction.atomic
def withdraw(item: DisclosureItem, *, reason: str, by=None) -> DisclosureItem:
    """撤回: the item leaves the public page at once; the record and the reason stay."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.PUBLISHED:
        raise ValidationError(f"只有已公开的内容可以撤回（当前状态：{item.get_status_display()}）")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写撤回原因"})
    if len(reason) > 200:
        raise ValidationError({"reason": "撤回原因不能超过200个字"})
    item.status = Status.WITHDRAWN
    item.withdrawn_at = timezone.now()
    item.withdraw_reason = reason
    item.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit.record("disclosure.withdraw", actor=by, obj=item, detail={"reason": reason})
    public_cache.changed(item.org)
    return item


@transaction.atomic
def delete_draft(item: DisclosureItem, *, by=None) -> None:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in EDITABLE:
        raise ValidationError("只有草稿或被退回的内容可以删除；已公开的内容请撤回")
    audit.record("disclosure.delete", actor=by, obj=item, detail={"title": item.title})
    item.delete()


@transaction.atomic
def add_attachment(item: DisclosureItem, upload, *, by=None) -> Attachment:
    """Attach an image or PDF (≤ 10 MB) to a draft."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in EDITABLE:
        raise ValidationError("只能给草稿添加附件；已公开的内容请用“更正”")
    name = Path(upload.name or "").name[:200] or "附件"
    ext = Path(name).suffix.lower()
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError({"file": "附件只能是图片（JPG、PNG、GIF、WEBP）或 PDF 文件"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": f"附件不能超过10MB（此文件 {upload.size / 1024 / 1024:.1f}MB）"})
    if upload.size == 0:
        raise ValidationError({"file": "附件是空文件"})
    content_type, magics = ATTACHMENT_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics) or (ext == ".webp" and head[8:12] != b"WEBP"):
        raise ValidationError({"file": f"文件内容与扩展名{ext}不符，请上传真实的图片或 PDF 文件"})
    att = Attachment(disclosure=item, name=name, content_type=content_type, size=upload.size)
    att.file.save(name, upload, save=False)
    att.save()
    audit.record("disclosure.attach", actor=by, obj=item, detail={"attachment": att.pk, "name": name})
    return att


@transaction.atomic
def remove_attachment(att: Attachment, *, by=None) -> None:
    item = DisclosureItem.objects.select_for_update().get(pk=att.disclosure_id)
    if item.status not in EDITABLE:
        raise ValidationError("已提交或已公开内容的附件不能删除；请用“更正”")
    audit.record("disclosure.detach", actor=by, obj=item, detail={"attachment": att.pk, "name": att.name})
    # The file stays in storage: the audit log names it, and nothing public links to it any more.
    att.delete()
