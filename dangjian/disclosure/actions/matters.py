"""待公开事项: major matters of catalogue entries published 随时, registered with the day they occurred
(rules.disclosure.MAJOR_WITHIN_DAYS counts from it)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.dates import form_date

from ..models import (
    CatalogEntry,
    Frequency,
    Matter,
    Status,
)
from .common import _pii_message, _user


def _check_occurred_on(occurred_on: dt.date, field: str) -> None:
    if occurred_on > timezone.localdate():
        raise ValidationError({field: "事项发生日期不能晚于今天；尚未发生的事项请在发生后登记"})
    if occurred_on.year < 2000:
        raise ValidationError({field: "事项发生日期不正确"})


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
        occurred_on = form_date(data.get("occurred_on"), "发生日期")
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
