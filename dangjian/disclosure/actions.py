"""Every write to disclosure items: validate, one transaction, audit.

Life of an item: draft → published → (corrected by a new version | withdrawn). Only drafts are
edited; a published item is never changed in place (its correction is a new row, `correct`).
Who may call these is decided by the callers from `DisclosureItem.objects.restrict(user,
WRITE_ACTION)` / `Org.objects.restrict(user, WRITE_ACTION)`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.rules.base import value as value_of

from . import pii, public_cache
from .models import (
    EDITABLE,
    Attachment,
    CatalogEntry,
    Category,
    DisclosureItem,
    FinanceLine,
    Frequency,
    LineKind,
    Matter,
    Question,
    QuestionKind,
    Review,
    ReviewStep,
    Status,
    SupervisorSeat,
)
from .sanitize import sanitize, text_of

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


def _money(raw, label: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError(f"{label}“{raw}”不是有效金额，请填写数字，如 1200.50") from None
    if not value.is_finite() or value < 0:
        raise ValidationError(f"{label}不能为负数")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"{label}最多保留两位小数（到分）")
    if value >= Decimal("1e12"):
        raise ValidationError(f"{label}超出可填写的范围")
    return value.quantize(Decimal("0.01"))


def _date(raw, label: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(f"{label}格式不正确，请按“2025-07-01”填写") from None


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}"


def _pii_message(label: str, text: str) -> str | None:
    found = pii.find(text)
    if not found:
        return None
    kind, value = found[0]
    shown = value[:3] + "…" + value[-2:]
    return (f"{label}含有疑似{kind}（{shown}）：公开内容不得出现个人身份证号或手机号码，"
            "请删除或打码（如 138****1234）后再保存")


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
            out[f] = _date(data.get(f), label)
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
        occurred_on = _date(data.get("occurred_on"), "事项发生日期")
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


def _check_occurred_on(occurred_on: dt.date, field: str) -> None:
    if occurred_on > timezone.localdate():
        raise ValidationError({field: "事项发生日期不能晚于今天；尚未发生的事项请在发生后登记"})
    if occurred_on.year < 2000:
        raise ValidationError({field: "事项发生日期不正确"})


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


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# ---------------------------------------------------------------- review (审核)

def _note(raw, label: str, *, required: bool) -> str:
    note = " ".join((raw or "").split())
    if required and not note:
        raise ValidationError({"note": f"请填写{label}"})
    if len(note) > 300:
        raise ValidationError({"note": f"{label}不能超过300个字"})
    return note


def _name(by) -> str:
    user = _user(by)
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else ""


@transaction.atomic
def submit(item: DisclosureItem, *, by=None) -> DisclosureItem:
    """Submit an item whose catalogue entry requires review (draft or returned → submitted)."""
    item = DisclosureItem.objects.select_for_update(of=("self",)).select_related("catalog_entry").get(pk=item.pk)
    if item.catalog_entry is None or item.catalog_entry.review == Review.NONE:
        raise ValidationError("此内容不需要审核，可直接公开")
    if item.status not in EDITABLE:
        raise ValidationError(f"只有草稿或被退回的内容可以提交审核（当前状态：{item.get_status_display()}）")
    _clean({f: getattr(item, f) for f in FIELDS}, _saved_lines(item))
    item.status = Status.SUBMITTED
    item.submitted_at = timezone.now()
    item.save(update_fields=["status", "submitted_at", "updated_at"])
    ReviewStep.objects.create(item=item, kind=ReviewStep.Kind.SUBMIT, by=_user(by), by_name=_name(by))
    audit.record("disclosure.submit", actor=by, obj=item, detail={"review": item.catalog_entry.review})
    return item


def _reviewing(item, by) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update(of=("self",)).select_related("catalog_entry").get(pk=item.pk)
    if item.status != Status.SUBMITTED:
        raise ValidationError(f"只有待审核的内容可以审核（当前状态：{item.get_status_display()}）")
    submitter = item.review_steps.filter(kind=ReviewStep.Kind.SUBMIT).order_by("-at", "-id").values_list(
        "by_id", flat=True).first()
    user = _user(by)
    if user is not None and submitter == user.pk:
        raise ValidationError("不能审核自己提交的内容（提出与审核应由不同的人完成，党务公开条例 第十五条）")
    return item


@transaction.atomic
def approve(item: DisclosureItem, *, note: str = "", by=None, publish_now: bool = False) -> DisclosureItem:
    item = _reviewing(item, by)
    note = _note(note, "审核意见", required=False)
    item.status = Status.APPROVED
    item.save(update_fields=["status", "updated_at"])
    ReviewStep.objects.create(item=item, kind=ReviewStep.Kind.APPROVE, by=_user(by), by_name=_name(by), note=note)
    audit.record("disclosure.approve", actor=by, obj=item, detail={"note": note})
    if publish_now:
        item = publish(item, by=by)
    return item


@transaction.atomic
def return_item(item: DisclosureItem, *, reason: str, by=None) -> DisclosureItem:
    """退回修改: back to the author with the reason."""
    item = _reviewing(item, by)
    reason = _note(reason, "退回原因", required=True)
    item.status = Status.RETURNED
    item.save(update_fields=["status", "updated_at"])
    ReviewStep.objects.create(item=item, kind=ReviewStep.Kind.RETURN, by=_user(by), by_name=_name(by), note=reason)
    audit.record("disclosure.return", actor=by, obj=item, detail={"reason": reason})
    return item


# ---------------------------------------------------------------- catalogue (公开目录)

CATALOG_FIELDS = ("domain", "org_type", "category", "title", "frequency", "publisher", "review", "source",
                  "position", "active", "effective_from")


def _clean_entry(data: dict) -> dict:
    from dangjian.orgs.models import Domain, OrgType

    errors: dict[str, list[str]] = {}
    out: dict = {}

    def pick(field, choices, label):
        v = data.get(field) or ""
        if v not in choices:
            errors[field] = [f"请选择{label}"]
        out[field] = v

    pick("domain", Domain.values, "适用领域")
    pick("category", Category.values, "公开类别（党务、村务或财务）")
    pick("frequency", Frequency.values, "公开频次（每月、每季度、每年或随时）")
    pick("review", Review.values, "审核方式")
    org_type = data.get("org_type") or ""
    if org_type and org_type not in OrgType.values:
        errors["org_type"] = ["适用组织类别无效"]
    out["org_type"] = org_type
    for field, label, n in (("title", "公开事项", 200), ("publisher", "公开责任主体", 100), ("source", "依据", 200)):
        v = " ".join(str(data.get(field) or "").split())
        if field != "source" and not v:
            errors[field] = [f"请填写{label}"]
        elif len(v) > n:
            errors[field] = [f"{label}不能超过{n}个字"]
        out[field] = v
    try:
        out["position"] = int(data.get("position") or 0)
        if out["position"] < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["position"] = ["顺序应为不小于0的整数"]
    out["active"] = bool(data.get("active", True))
    try:
        out["effective_from"] = _date(data.get("effective_from"), "起始日期") or timezone.localdate()
    except ValidationError as e:
        errors["effective_from"] = e.messages
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_entry(owner, data: dict, *, by=None) -> CatalogEntry:
    values = _clean_entry(data)
    entry = CatalogEntry.objects.create(owner=owner, owner_path=owner.path, **values)
    audit.record("disclosure.catalog_create", actor=by, obj=entry, detail={"owner": owner.code, "title": entry.title})
    return entry


@transaction.atomic
def update_entry(entry: CatalogEntry, data: dict, *, by=None) -> CatalogEntry:
    entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
    merged = {f: data.get(f, getattr(entry, f)) for f in CATALOG_FIELDS}
    values = _clean_entry(merged)
    changed = [f for f in CATALOG_FIELDS if values[f] != getattr(entry, f)]
    for f in changed:
        setattr(entry, f, values[f])
    entry.save()
    audit.record("disclosure.catalog_update", actor=by, obj=entry, detail={"fields": changed})
    return entry


@transaction.atomic
def install_default_catalog(owner, *, by=None, effective_from: dt.date | None = None) -> int:
    """Copy the default 农村/社区 catalogue (rules.disclosure.default_catalog) into `owner`'s catalogue, once:
    entries it already has (same domain and title) are left alone. Answers how many were added."""
    from dangjian.rules.disclosure import default_catalog

    have = set(CatalogEntry.objects.filter(owner=owner).values_list("domain", "title"))
    start = effective_from or timezone.localdate()
    new = [CatalogEntry(owner=owner, owner_path=owner.path, position=n, effective_from=start, **row)
           for n, row in enumerate(default_catalog(), start=1) if (row["domain"], row["title"]) not in have]
    CatalogEntry.objects.bulk_create(new)
    audit.record("disclosure.catalog_install", actor=by, obj=owner, detail={"added": len(new)})
    return len(new)


@transaction.atomic
def add_seat(org, user, *, title: str = "村务监督委员会成员", by=None) -> SupervisorSeat:
    title = " ".join((title or "").split())[:50] or "村务监督委员会成员"
    if SupervisorSeat.objects.filter(org=org, user=user).exists():
        raise ValidationError({"user": f"{user.display_name or user.username}已是{org.name}的监督委员会成员"})
    seat = SupervisorSeat.objects.create(org=org, user=user, title=title)
    audit.record("disclosure.seat_add", actor=by, obj=org, detail={"user": user.username, "title": title})
    return seat


@transaction.atomic
def remove_seat(seat: SupervisorSeat, *, by=None) -> None:
    audit.record("disclosure.seat_remove", actor=by, obj=seat.org, detail={"user": seat.user.username})
    seat.delete()


# ---------------------------------------------------------------- major matters (待公开事项)

def _new_matter(org, entry, *, title: str, occurred_on: dt.date, note: str, by) -> Matter:
    matter = Matter.objects.create(org=org, org_path=org.path, catalog_entry=entry, title=title,
                                   occurred_on=occurred_on, note=note, created_by=_user(by))
    audit.record("disclosure.matter_register", actor=by, obj=matter, detail={
        "org": org.code, "entry": entry.pk, "occurred_on": occurred_on.isoformat(),
    })
    return matter


@transaction.atomic
def register_matter(org, data: dict, *, by=None) -> Matter:
    """登记待公开事项: a major matter of `org` occurred on data["occurred_on"] and must be published under the
    immediate catalogue entry data["catalog_entry"] (an entry binding `org`, or its id) within
    rules.disclosure.MAJOR_WITHIN_DAYS. Whoever manages `org` registers it, the organization or the committee above."""
    errors: dict[str, list[str]] = {}
    raw = data.get("catalog_entry")
    entry_id = raw.pk if isinstance(raw, CatalogEntry) else raw
    entry = (CatalogEntry.objects.applying_to(org).filter(pk=entry_id).first()
             if str(entry_id or "").isdigit() else None)
    if entry is None:
        errors["catalog_entry"] = [f"请选择适用于{org.name}的随时公开目录事项"]
    elif entry.frequency != Frequency.IMMEDIATE:
        errors["catalog_entry"] = [f"“{entry.title}”{entry.get_frequency_display()}公开，按期间检查，不需要登记事项"]
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        errors["title"] = ["请填写事项名称，如“村道硬化工程实施方案（村民代表会议表决通过）”"]
    elif len(title) > 200:
        errors["title"] = ["事项名称不能超过200个字"]
    note = " ".join(str(data.get("note") or "").split())
    if len(note) > 300:
        errors["note"] = ["说明不能超过300个字"]
    for field, text, label in (("title", title, "事项名称"), ("note", note, "说明")):
        msg = _pii_message(label, text)
        if msg:
            errors.setdefault(field, []).append(msg)
    try:
        occurred_on = _date(data.get("occurred_on"), "发生日期")
        if occurred_on is None:
            raise ValidationError({"occurred_on": "请填写事项发生日期（如会议表决、上级批复之日）"})
        _check_occurred_on(occurred_on, "occurred_on")
    except ValidationError as e:
        errors.setdefault("occurred_on", []).extend(e.messages)
    if errors:
        raise ValidationError(errors)
    return _new_matter(org, entry, title=title, occurred_on=occurred_on, note=note, by=by)


@transaction.atomic
def cancel_matter(matter: Matter, *, reason: str, by=None) -> Matter:
    """撤销登记: a matter registered by mistake (or twice) leaves the overdue list; the record and the reason stay.
    A matter already published cannot be cancelled (withdraw its item instead)."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.cancelled_at is not None:
        raise ValidationError("此事项已撤销登记")
    if matter.items.filter(status=Status.PUBLISHED).exists():
        raise ValidationError(f"“{matter.title}”已经公开，不能撤销登记；如公开内容有误，请更正或撤回公开内容")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因（如重复登记、登记有误）"})
    if len(reason) > 200:
        raise ValidationError({"reason": "撤销原因不能超过200个字"})
    matter.cancelled_at = timezone.now()
    matter.cancel_reason = reason
    matter.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    audit.record("disclosure.matter_cancel", actor=by, obj=matter, detail={"reason": reason})
    return matter


# ---------------------------------------------------------------- villagers' questions (群众留言)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())[-11:] if raw else ""


@transaction.atomic
def ask(item: DisclosureItem, *, kind: str, body: str, phone: str) -> Question:
    """A villager's question or objection on a published item (no login; the view checks the form token
    and rate limits). The phone is kept for the reply only."""
    errors: dict[str, list[str]] = {}
    item = DisclosureItem.objects.get(pk=item.pk)
    if item.status != Status.PUBLISHED:
        raise ValidationError("只能对正在公开的内容留言")
    if kind not in QuestionKind.values:
        errors["kind"] = ["请选择询问或异议"]
    body = (body or "").strip()
    if len(body) < 5:
        errors["body"] = ["请写下您的问题或异议（至少5个字）"]
    elif len(body) > 1000:
        errors["body"] = ["留言不能超过1000个字"]
    digits = normalize_phone(phone)
    if not PHONE_RE.match(digits) or len("".join(ch for ch in phone if ch.isdigit())) not in (11, 13):
        errors["phone"] = ["请填写11位手机号码，用于答复您（不会公开）"]
    if errors:
        raise ValidationError(errors)
    q = Question.objects.create(item=item, org_id=item.org_id, org_path=item.org_path, kind=kind, body=body,
                                phone=digits)
    # The audit detail carries no phone number: the log is readable by more people than the inbox.
    audit.record("disclosure.question", actor=None, obj=item, detail={"question": q.pk, "kind": kind})
    return q


def mask_numbers(text: str) -> str:
    """The text with every ID or mobile number masked (138****1234, 3701**********1234)."""
    out = pii.ID_NUMBER.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text or "")
    return pii.MOBILE.sub(lambda m: (d := "".join(c for c in m.group() if c.isdigit()))[:3] + "****" + d[-4:], out)


@transaction.atomic
def answer(question: Question, *, text: str, public: bool = False, by=None) -> Question:
    """The responsible organization answers; `public` shows question and answer on the item's public page
    (the question masked, never the phone)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"answer": "请填写答复内容"})
    if len(text) > 2000:
        raise ValidationError({"answer": "答复不能超过2000个字"})
    msg = _pii_message("答复", text)
    if msg:
        raise ValidationError({"answer": msg})
    question.answer = text
    question.answered_at = timezone.now()
    question.answered_by = _user(by)
    question.save(update_fields=["answer", "answered_at", "answered_by"])
    DisclosureItem.objects.filter(pk=question.item_id).update(updated_at=timezone.now())  # see set_public
    public_cache.changed(question.org)
    audit.record("disclosure.answer", actor=by, obj=question.item, detail={"question": question.pk})
    return set_public(question, public, by=by) if public != question.public else question


@transaction.atomic
def set_public(question: Question, public: bool, *, by=None) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    if public and question.answered_at is None:
        raise ValidationError({"public": "答复后才能在公开页显示"})
    question.public = public
    question.public_body = mask_numbers(question.body) if public else ""
    question.save(update_fields=["public", "public_body"])
    # The public item page shows public answers: its stamp (views._stamp) must change.
    DisclosureItem.objects.filter(pk=question.item_id).update(updated_at=timezone.now())
    public_cache.changed(question.org)
    audit.record("disclosure.question_public", actor=by, obj=question.item,
                 detail={"question": question.pk, "public": public})
    return question
