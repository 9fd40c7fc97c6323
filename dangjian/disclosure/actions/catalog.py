"""公开目录: the catalogue entries a committee keeps for its subtree, the default catalogue, and the seats of the
村务监督委员会 that review where the catalogue says so."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.dates import form_date

from ..models import (
    CatalogEntry,
    Category,
    Frequency,
    Review,
    SupervisorSeat,
)

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
        out["effective_from"] = form_date(data.get("effective_from"), "起始日期") or timezone.localdate()
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
