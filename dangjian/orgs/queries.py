"""Reads of the organization tree shared by the pages, the home dashboard and the pickers.

Every function starts from `Org.objects.restrict(user, action)` (or from the user's scope prefixes,
which is the same predicate) and answers with a bounded number of queries, whatever the size of the
tree: counts come from the counters on Org or from one aggregate query, never from a loop over nodes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from dangjian.core.dates import add_years
from dangjian.core.scope import scope_for
from dangjian.rules import terms as term_rules
from dangjian.rules.base import value

from .models import BRANCH_TYPES, CommitteeMember, Org, Position, Term

SEARCH_LIMIT = 50
WARNING_LIMIT = 20
ACTIONS = ("view", "change_org", "change_member")


def scope_roots(user, action: str = "view"):
    """The topmost organizations of the user's scope for `action` (the roots of the tree page).

    A superuser's roots are the roots of the tree; a plain member's root is their own branch.
    """
    scope = scope_for(user)
    if scope.everything:
        return Org.objects.filter(depth=1)
    prefixes = scope.prefixes(action)
    if prefixes:
        return Org.objects.filter(path__in=prefixes)
    if action == "view" and scope.self_members:
        return Org.objects.restrict(user, "view")
    return Org.objects.none()


def sole_scope_root(user, action: str = "view") -> Org | None:
    """The one topmost organization of the user's scope (a county for its staff, a branch for its secretary), or
    None when the scope has several (or none)."""
    roots = list(scope_roots(user, action)[:2])
    return roots[0] if len(roots) == 1 else None


def org_in_grant_view(user, code: str) -> Org:
    """An organization inside one of the user's grants' view scope, else 404. A plain member's own branch does not
    count: the pages that use this (发展党员, 党内统计, 整顿台账) show a branch's files and figures, which the member
    role does not read."""
    from django.http import Http404

    org = Org.objects.filter(scope_for(user).path_q("path", "view"), code=(code or "").strip()).first()
    if org is None:
        raise Http404("党组织不存在或不在您的查看范围内")
    return org


def grant_top_org(user) -> Org | None:
    """The top organization of the user's grants' view scope (the first one, when grants are on several)."""
    scope = scope_for(user)
    if scope.everything:
        return Org.objects.filter(depth=1).order_by("path").first()
    prefixes = scope.prefixes("view")
    return Org.objects.filter(path=prefixes[0]).first() if prefixes else None


def branch_counts(orgs) -> dict[int, int]:
    """Number of branch-type organizations in each org's subtree (itself included), one query."""
    orgs = list(orgs)
    if not orgs:
        return {}
    agg = Org.objects.filter(org_type__in=BRANCH_TYPES).aggregate(
        **{f"o{o.pk}": Count("pk", filter=Q(path__startswith=o.path)) for o in orgs}
    )
    return {o.pk: agg[f"o{o.pk}"] or 0 for o in orgs}


def path_names(user, orgs) -> dict[int, list[str]]:
    """For each org, the names of its ancestors inside the user's view scope, root first (one query).

    Ancestors outside the scope are left out: the scope's own roots are where a user's world begins.
    """
    orgs = list(orgs)
    wanted = {p for o in orgs for p in o.ancestor_paths()[:-1]}
    if not wanted:
        return {o.pk: [] for o in orgs}
    names = dict(Org.objects.restrict(user, "view").filter(path__in=wanted).values_list("path", "name"))
    return {o.pk: [names[p] for p in o.ancestor_paths()[:-1] if p in names] for o in orgs}


def search(user, q: str, *, action: str = "view", kind: str = "", exclude: Org | None = None,
           limit: int = SEARCH_LIMIT):
    """Organizations in scope whose name contains `q` or whose code starts with it, shallowest first.

    kind "branch" keeps branch-type organizations (where members belong), "parent" keeps those that
    may have children (move and create pickers). `exclude` drops an org and its subtree (move).
    """
    q = (q or "").strip()[:50]
    qs = Org.objects.restrict(user, action)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q))
    if kind == "branch":
        qs = qs.filter(org_type__in=BRANCH_TYPES)
    elif kind == "parent":
        qs = qs.exclude(org_type__in=BRANCH_TYPES)
    if exclude is not None:
        qs = qs.exclude(path__startswith=exclude.path)
    results = list(qs.order_by("depth", "path")[:limit])
    names = path_names(user, results)
    for o in results:
        o.path_names = names[o.pk]
    return results


def children_in_scope(user, org: Org):
    """The direct children of `org` the user may see, in tree order."""
    return Org.objects.restrict(user, "view").filter(
        path__startswith=org.path, depth=org.depth + 1
    ).order_by("path")


def _current_term_q():
    """Terms with no later term of the same organization: each org's current 届次."""
    later = Term.objects.filter(org=OuterRef("org"), elected_on__gt=OuterRef("elected_on"))
    return ~Exists(later)


@dataclass
class TermWarning:
    org: Org
    term: Term
    status: str
    ends_on: dt.date

    @property
    def label(self) -> str:
        return term_rules.TERM_STATUS_LABELS[self.status]


@dataclass
class Warnings:
    terms: list[TermWarning] = field(default_factory=list)
    terms_total: int = 0
    vacant: list[Org] = field(default_factory=list)
    vacant_total: int = 0

    @property
    def any(self) -> bool:
        return bool(self.terms_total or self.vacant_total)


def term_warnings(user, today: dt.date, *, within: Org | None = None, limit: int = WARNING_LIMIT):
    """Current terms in scope that have expired or end within the reminder window, soonest end first.

    The SQL keeps only terms that could end before the horizon (one range per term length in use,
    extensions only push the end later, so this is a superset); the exact end (with an approved
    extension) is then computed on that short list by the model's own rule.
    """
    horizon = today + dt.timedelta(days=value(term_rules.REMIND_BEFORE_DAYS))
    orgs = Org.objects.restrict(user, "view")
    if within is not None:
        orgs = orgs.filter(path__startswith=within.path)
    base = Term.objects.filter(_current_term_q(), org__in=orgs)
    lengths = sorted(set(base.order_by().values_list("years", flat=True).distinct()))
    if not lengths:
        return [], 0
    could_end = Q()
    for years in lengths:
        # +1 day: 29 February shifted back a few years lands on the 28th (keep the superset).
        could_end |= Q(years=years, elected_on__lte=add_years(horizon, -years) + dt.timedelta(days=1))
    rows = []
    for term in base.filter(could_end).select_related("org"):
        status = term.status(today)
        if status != "ok":
            rows.append(TermWarning(org=term.org, term=term, status=status, ends_on=term.ends_on))
    rows.sort(key=lambda w: (w.ends_on, w.org.path))
    return rows[:limit], len(rows)


def vacant_branches(user, *, within: Org | None = None, limit: int = WARNING_LIMIT):
    """Branches in scope without a serving 书记 in their current term (or with no term at all)."""
    serving = CommitteeMember.objects.filter(
        term__org=OuterRef("pk"), position=Position.SECRETARY, ended_on__isnull=True
    ).exclude(Exists(Term.objects.filter(org=OuterRef("term__org"), elected_on__gt=OuterRef("term__elected_on"))))
    qs = (Org.objects.restrict(user, "view").filter(org_type__in=BRANCH_TYPES).filter(~Exists(serving))
          .annotate(has_term=Exists(Term.objects.filter(org=OuterRef("pk")))))
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    total = qs.count()
    return list(qs.order_by("path")[:limit]) if total else [], total


def warnings(user, today: dt.date, *, within: Org | None = None) -> Warnings:
    w = Warnings()
    w.terms, w.terms_total = term_warnings(user, today, within=within)
    w.vacant, w.vacant_total = vacant_branches(user, within=within)
    return w


def committee(org: Org):
    """The org's terms, newest first, and every committee member of them (two queries).

    Returns (current_term, serving, past): `serving` are members of the current term still in
    office, `past` everyone else (ended service, or earlier terms), newest first.
    """
    terms = list(org.terms.order_by("-elected_on"))
    if not terms:
        return None, [], [], terms
    current = terms[0]
    people = list(CommitteeMember.objects.filter(term__org=org).select_related("term"))
    order = {Position.SECRETARY: 0, Position.DEPUTY: 1, Position.MEMBER: 2}
    serving = sorted((p for p in people if p.term_id == current.pk and p.ended_on is None),
                     key=lambda p: (order.get(p.position, 9), p.started_on, p.pk))
    past = sorted((p for p in people if not (p.term_id == current.pk and p.ended_on is None)),
                  key=lambda p: (p.ended_on or p.term.elected_on, p.pk), reverse=True)
    return current, serving, past, terms
