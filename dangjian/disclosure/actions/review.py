"""审核: an item whose catalogue entry asks for review is submitted, then approved (and published) or returned,
by someone other than its submitter (党务公开条例 第十五条)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit

from ..models import (
    EDITABLE,
    DisclosureItem,
    Review,
    ReviewStep,
    Status,
)
from .common import _user
from .items import FIELDS, _clean, _saved_lines, publish


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
