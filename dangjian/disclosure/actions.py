"""Every write to disclosure items: validate, one transaction, audit.

Life of an item: draft → published → (corrected by a new version | withdrawn). Only drafts are
edited; a published item is never changed in place (its correction is a new row, `correct`).
Who may call these is decided by the callers from `DisclosureItem.objects.restrict(user,
WRITE_ACTION)` / `Org.objects.restrict(user, WRITE_ACTION)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit

from . import pii
from .models import Attachment, Category, DisclosureItem, FinanceLine, LineKind, Status
from .sanitize import sanitize, text_of

FIELDS = ("category", "title", "body", "period_label", "period_start", "period_end",
          "declared_income", "declared_expense")
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


@transaction.atomic
def create_draft(org, data: dict, *, lines: list[dict] | None = None, by=None) -> DisclosureItem:
    values, clean_lines = _clean(data, lines if lines is not None else [])
    item = DisclosureItem.objects.create(org=org, org_path=org.path, created_by=_user(by), **values)
    if clean_lines:
        _write_lines(item, clean_lines)
    audit.record("disclosure.create", actor=by, obj=item, detail={"org": org.code, "category": item.category})
    return item


@transaction.atomic
def update_draft(item: DisclosureItem, data: dict, *, lines: list[dict] | None = None, by=None) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.DRAFT:
        raise ValidationError("只有草稿可以修改；已公开的内容请用“更正”发布新版本")
    merged = {f: data.get(f, getattr(item, f)) for f in FIELDS}
    values, clean_lines = _clean(merged, lines if lines is not None else _saved_lines(item))
    changed = [f for f in FIELDS if values[f] != getattr(item, f)]
    for f in changed:
        setattr(item, f, values[f])
    item.save()
    if lines is not None:
        _write_lines(item, clean_lines)
        changed.append("lines")
    audit.record("disclosure.update", actor=by, obj=item, detail={"fields": changed})
    return item


@transaction.atomic
def publish(item: DisclosureItem, *, by=None) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.DRAFT:
        raise ValidationError(f"“{item.title}”当前状态为{item.get_status_display()}，只有草稿可以公开")
    # Re-check the saved content: rules (totals, personal numbers) may be stricter than when drafted.
    _clean({f: getattr(item, f) for f in FIELDS}, _saved_lines(item))
    if not item.body and not item.lines.exists() and not item.attachments.exists():
        raise ValidationError({"body": "公开内容为空：请填写正文、收支明细或上传附件后再公开"})
    item.status = Status.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit.record("disclosure.publish", actor=by, obj=item, detail={"version": item.version})
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
        correction_note=note, status=Status.PUBLISHED, published_at=now, **values,
    )
    _write_lines(new, clean_lines)
    Attachment.objects.bulk_create([
        Attachment(disclosure=new, file=a.file.name, name=a.name, content_type=a.content_type, size=a.size)
        for a in item.attachments.all()
    ])
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
    return item


@transaction.atomic
def delete_draft(item: DisclosureItem, *, by=None) -> None:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.DRAFT:
        raise ValidationError("只有草稿可以删除；已公开的内容请撤回")
    audit.record("disclosure.delete", actor=by, obj=item, detail={"title": item.title})
    item.delete()


@transaction.atomic
def add_attachment(item: DisclosureItem, upload, *, by=None) -> Attachment:
    """Attach an image or PDF (≤ 10 MB) to a draft."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.DRAFT:
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
    if item.status != Status.DRAFT:
        raise ValidationError("已公开内容的附件不能删除；请用“更正”")
    audit.record("disclosure.detach", actor=by, obj=item, detail={"attachment": att.pk, "name": att.name})
    # The file stays in storage: the audit log names it, and nothing public links to it any more.
    att.delete()


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None
