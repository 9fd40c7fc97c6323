"""Reads shared by the staff pages, the API and the public pages.

Staff reads start from `DisclosureItem.objects.restrict(user, action)`. Public reads are public by
design (党务村务公开 is for everyone) and go through `public_*` only, which never return a draft or a
withdrawn item.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import Http404

from dangjian.orgs.models import Org

from .models import Category, DisclosureItem, Status

STATUS_FILTERS = {s.value for s in Status}
MAX_CHAIN = 50  # versions followed to find the current one; a real chain has a handful


def staff_list(user, params) -> tuple:
    """(queryset, filters) of the items `user` may see, narrowed by ?org=CODE (subtree), status,
    category, q (title). An org outside the scope narrows to nothing rather than erroring."""
    qs = DisclosureItem.objects.restrict(user, "view")
    f = {"org": None, "status": "", "category": "", "q": ""}
    code = (params.get("org") or "").strip()
    if code:
        org = Org.objects.restrict(user, "view").filter(code=code).first()
        f["org"] = org
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    status = params.get("status") or ""
    if status in STATUS_FILTERS:
        f["status"] = status
        qs = qs.filter(status=status)
    category = params.get("category") or ""
    if category in Category.values:
        f["category"] = category
        qs = qs.filter(category=category)
    q = (params.get("q") or "").strip()
    if q:
        f["q"] = q
        qs = qs.filter(title__icontains=q)
    return qs.select_related("org").order_by("-updated_at", "-id"), f


# ---------------------------------------------------------------- public side

def public_org(code: str) -> Org:
    org = Org.objects.filter(code=code).only("id", "path", "depth", "code", "name", "org_type").first()
    if org is None:
        raise Http404("没有这个党组织")
    return org


def public_items(org: Org):
    """The current published items of `org` (not its subtree: each organization discloses its own)."""
    return (DisclosureItem.objects.public().filter(org=org)
            .order_by(F("period_start").desc(nulls_last=True), "-period_label", "-published_at", "-id"))


def public_counts(org: Org) -> dict[str, int]:
    rows = (DisclosureItem.objects.public().filter(org=org).values("category")
            .annotate(n=Count("id")).values_list("category", "n"))
    return dict(rows)


def public_item(org: Org, pk: int) -> tuple[DisclosureItem, DisclosureItem]:
    """(item, current version). An earlier version is readable while its current version is
    published; drafts, withdrawn items and versions of a withdrawn item answer 404."""
    item = (DisclosureItem.objects.filter(org=org, pk=pk)
            .filter(Q(status=Status.PUBLISHED) | Q(status=Status.SUPERSEDED)).first())
    if item is None:
        raise Http404("没有这条公开内容")
    head = item
    for _ in range(MAX_CHAIN):
        if head.status != Status.SUPERSEDED:
            break
        head = DisclosureItem.objects.filter(supersedes=head).first()
        if head is None:
            raise Http404("没有这条公开内容")
    if head.status != Status.PUBLISHED:
        raise Http404("没有这条公开内容")
    return item, head
