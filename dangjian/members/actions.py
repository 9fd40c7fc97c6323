"""Every write to the member registry goes through here (Zulip-style action layer).

Each action validates, writes in one transaction, keeps the org counters right and records the
business event. Views, the API, imports and the demo loader call these.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from dangjian.core import audit
from dangjian.orgs.models import Org

from .choices import Category, Status
from .models import Member
from .search import pinyin_keys
from .validation import validate_member

EDITABLE_FIELDS = [
    "org", "name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
    "confirmed_on", "job", "phone", "address", "lost_contact", "lost_contact_on", "is_mobile",
    "mobile_destination",
]
# What a plain member may change on their own record.
SELF_EDITABLE_FIELDS = ["phone", "address"]


def _open_transfer(member) -> bool:
    """An open 组织关系转接 holds the member where they are (looked up lazily: transfers builds on members)."""
    from django.apps import apps

    if not apps.is_installed("dangjian.transfers"):
        return False
    Transfer = apps.get_model("transfers", "Transfer")
    return Transfer.objects.filter(member=member, status__in=["pending", "approved"]).exists()


def _deltas(member) -> tuple[int, int]:
    if member.status != Status.NORMAL:
        return 0, 0
    return (1, 0) if member.category == Category.FULL else (0, 1)


def adjust_counts(org: Org, full: int, probationary: int) -> None:
    """Add to the org's direct counters and to the subtree counters of it and every ancestor:
    two set-based UPDATEs, whatever the depth."""
    if not full and not probationary:
        return
    Org.objects.filter(pk=org.pk).update(
        direct_full=F("direct_full") + full, direct_probationary=F("direct_probationary") + probationary
    )
    Org.objects.filter(path__in=org.ancestor_paths()).update(
        subtree_full=F("subtree_full") + full, subtree_probationary=F("subtree_probationary") + probationary
    )


def _apply(member: Member, data: dict) -> None:
    for k, v in data.items():
        setattr(member, k, v)
    member.name_pinyin, member.name_initials = pinyin_keys(member.name)
    member.org_path = member.org.path


def _clean_text(data: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def create_member(data: dict, *, by=None, source: str = "form") -> Member:
    data = _clean_text(data)
    errors = validate_member(data)
    if errors:
        raise ValidationError(errors)
    member = Member()
    _apply(member, {k: v for k, v in data.items() if k in EDITABLE_FIELDS + ["user"]})
    member._change_reason = source
    member.save()
    adjust_counts(member.org, *_deltas(member))
    audit.record("member.create", actor=by, obj=member, detail={"source": source})
    return member


@transaction.atomic
def update_member(member: Member, data: dict, *, by=None, source: str = "form") -> list[str]:
    """Update the given fields; returns the names of the fields that changed."""
    data = _clean_text(data)
    current = {f: getattr(member, f) for f in EDITABLE_FIELDS}
    merged = {**current, "status": member.status, **data}
    errors = validate_member(merged, instance=member)
    if errors:
        raise ValidationError(errors)
    changed = [f for f in EDITABLE_FIELDS if f in merged and merged[f] != current[f]]
    if not changed:
        return []
    if "org" in changed and _open_transfer(member) and not source.startswith("组织关系转接"):
        raise ValidationError({"org": "该党员的组织关系正在转接中，转接完成或撤回前不能调整所在党支部"})
    before = _deltas(member)
    old_org = member.org
    _apply(member, {f: merged[f] for f in changed})
    member._change_reason = source
    member.save()
    after = _deltas(member)
    adjust_counts(old_org, -before[0], -before[1])
    adjust_counts(member.org, *after)
    audit.record("member.update", actor=by, obj=member, detail={"fields": changed, "source": source})
    return changed


@transaction.atomic
def change_status(member: Member, status: str, *, reason: str, on: dt.date, by=None) -> None:
    """党籍 status change: 停止党籍, 出党, 去世, 转出 (or back to 正常), always with a reason."""
    if status not in Status.values:
        raise ValidationError({"status": "未知的党籍状态"})
    if not reason.strip():
        raise ValidationError({"status_reason": "请填写状态变更原因"})
    if status == member.status:
        raise ValidationError({"status": f"党籍状态已是“{member.get_status_display()}”"})
    if status == Status.NORMAL:
        errors = validate_member({f: getattr(member, f) for f in EDITABLE_FIELDS} | {"status": status}, instance=member)
        if errors:
            raise ValidationError(errors)
    before = _deltas(member)
    old = member.get_status_display()
    member.status = status
    member.status_reason = reason.strip()
    member.status_changed_on = on
    member._change_reason = f"党籍状态：{old} → {member.get_status_display()}"
    member.save()
    after = _deltas(member)
    adjust_counts(member.org, after[0] - before[0], after[1] - before[1])
    audit.record("member.status", actor=by, obj=member, detail={"from": old, "to": member.get_status_display(), "reason": reason})


def record_sensitive_view(member: Member, *, by) -> None:
    """Seeing a full ID or phone number is logged (DESIGN: the event log records views of full IDs)."""
    audit.record("member.view_sensitive", actor=by, obj=member)
