"""Reads of transfers shared by the web pages and the API. Everything starts from `restrict`."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.orgs.models import Org

from .models import ACT, Kind, Status, Transfer

RELATED = ("member", "from_org", "to_org", "started_by", "approved_by", "decided_by")
TODO_LIMIT = 100  # a to-do list longer than this is paged through the history/list instead


def base(qs: QuerySet) -> QuerySet:
    return qs.select_related(*RELATED)


@dataclass
class TransferFilter:
    org: Org | None = None
    status: str = ""  # a Status value, "open", "overdue" or "" for all
    kind: str = ""
    member: int | None = None


class FilterError(ValueError):
    """A Chinese message naming the bad filter value."""


def parse_filter(user, params) -> TransferFilter:
    """`org` (either side in its subtree; outside the user's scope → 404), `status`, `kind`, `member`."""
    f = TransferFilter()
    code = (params.get("org") or "").strip()
    if code:
        f.org = Org.objects.restrict(user, "view").filter(code=code).first()
        if f.org is None:
            raise Http404("党组织不存在")
    status = (params.get("status") or "").strip()
    if status and status not in Status.values and status not in ("open", "overdue"):
        raise FilterError(f"状态“{status}”无效，可选：{'、'.join(Status.values)}、open、overdue")
    f.status = status
    kind = (params.get("kind") or "").strip()
    if kind and kind not in Kind.values:
        raise FilterError(f"转接类型“{kind}”无效，可选：{'、'.join(Kind.values)}")
    f.kind = kind
    member = (params.get("member") or "").strip()
    if member:
        if not member.isdigit():
            raise FilterError("member 应为党员编号（整数）")
        f.member = int(member)
    return f


def transfer_list(user, f: TransferFilter) -> QuerySet:
    qs = Transfer.objects.restrict(user, "view")
    if f.org is not None:
        qs = qs.filter(Q(org_path__startswith=f.org.path) | Q(to_org__path__startswith=f.org.path))
    if f.status == "open":
        qs = qs.open()
    elif f.status == "overdue":
        qs = qs.overdue()
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.member is not None:
        qs = qs.filter(member_id=f.member)
    return base(qs).order_by("-started_at", "-id")


def to_approve(user) -> QuerySet:
    """待审批: pending, the member's organization in the user's management scope, not started by them."""
    return base(Transfer.objects.sending(user, ACT).filter(status=Status.PENDING).exclude(started_by=user))


def to_accept(user) -> QuerySet:
    """待接收: approved transfers within the platform into a branch the user manages."""
    return base(Transfer.objects.receiving(user, ACT).filter(status=Status.APPROVED, kind=Kind.INTERNAL))


def awaiting_receipt(user) -> QuerySet:
    """待回执: letters to other systems issued by the user's side, receipt not yet recorded."""
    return base(Transfer.objects.sending(user, ACT).filter(status=Status.APPROVED, kind=Kind.OUT))


def started_open(user) -> QuerySet:
    """我发起的: still open, so the starter can follow or cancel them."""
    return base(Transfer.objects.restrict(user, "view").open().filter(started_by=user))


def overdue(user, today=None) -> QuerySet:
    """已超期: letter validity passed without acceptance or receipt, for both sides (view scope)."""
    return base(Transfer.objects.restrict(user, "view").overdue(today or timezone.localdate())).order_by("valid_until", "id")


def history(user) -> QuerySet:
    """历史: closed transfers either side of which the user can see, newest first."""
    return base(Transfer.objects.restrict(user, "view").exclude(status__in=[Status.PENDING, Status.APPROVED])
                ).order_by("-decided_at", "-id")


def may_start_somewhere(user) -> bool:
    from dangjian.core.scope import scope_for

    scope = scope_for(user)
    return scope.everything or bool(scope.prefixes(ACT))


def branch_targets(q: str, limit: int = 10) -> QuerySet:
    """Branches anywhere in the platform matching a code or name fragment: a transfer may go to any branch,
    not only those the starter manages (the receiving side then accepts)."""
    from dangjian.orgs.models import BRANCH_TYPES

    q = (q or "").strip()[:50]
    if not q:
        return Org.objects.none()
    return Org.objects.filter(Q(code__istartswith=q) | Q(name__icontains=q), org_type__in=BRANCH_TYPES).order_by("code")[:limit]
