"""Reads shared by the staff pages, the API and the public pages.

Staff reads start from `DisclosureItem.objects.restrict(user, action)`. Public reads are public by
design (党务村务公开 is for everyone) and go through `public_*` only, which never return a draft or a
withdrawn item.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org
from dangjian.rules import disclosure as rules

from .models import (
    BASIC_ORG_TYPES,
    CATEGORY_SHORT,
    CatalogEntry,
    Category,
    DisclosureItem,
    Frequency,
    Matter,
    Review,
    Status,
    SupervisorSeat,
)

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
    """The organization of a /gk/ page, with `parent_name` and `stamp`: what its public pages depend on (its name and
    its parent's, the newest change to any of its items or 小微权力 cases, and their counts), read in the same single
    query. Every write touches updated_at (publish, correct, withdraw, a question answered or made public), so a
    withdrawal changes the stamp for every worker at once; so do a rename of the organization or of its parent, and
    a move."""
    from django.db.models import Count, Max, OuterRef, Subquery
    from django.db.models.functions import Length, Substr

    from dangjian.micropower.models import Case

    def agg(model, fn, field):
        return Subquery(model.objects.filter(org=OuterRef("pk")).order_by().values("org")
                        .annotate(v=fn(field)).values("v")[:1])

    parent = Org.objects.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen))
    org = (Org.objects.filter(code=code).only("id", "path", "depth", "code", "name", "org_type")
           .annotate(items_m=agg(DisclosureItem, Max, "updated_at"), items_n=agg(DisclosureItem, Count, "id"),
                     cases_m=agg(Case, Max, "updated_at"), cases_n=agg(Case, Count, "id"),
                     parent_name=Subquery(parent.values("name")[:1])).first())
    if org is None:
        raise Http404("没有这个党组织")
    org.stamp = (f"{org.pk}|{org.name}|{org.parent_name}|{org.items_m}|{org.items_n}|{org.cases_m}|"
                 f"{org.cases_n}")
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


# ---------------------------------------------------------------- review and catalogue

def reviewable(user):
    """Submitted items `user` may review: where the entry asks the committee above, items of organizations
    strictly below an organization the user administers (WRITE_ACTION over its parent); where it asks the
    村务监督委员会, items of the organizations the user has a seat for."""
    scope = scope_for(user)
    qs = DisclosureItem.objects.filter(status=Status.SUBMITTED)
    above = Q()
    if scope.everything:
        above = Q(catalog_entry__review=Review.ABOVE)
    else:
        for p in scope.prefixes("change_org") if scope.paths else []:
            above |= Q(org_path__startswith=p) & ~Q(org_path=p)
        above = (Q(catalog_entry__review=Review.ABOVE) & above) if above else Q(pk__in=[])
    seats = Q(catalog_entry__review=Review.SUPERVISION,
              org_id__in=SupervisorSeat.objects.filter(user_id=getattr(user, "pk", None)).values("org_id"))
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(above | seats)


def catalog_for(org):
    """The entries binding `org` (its own and those of every organization above it)."""
    return CatalogEntry.objects.applying_to(org).select_related("owner").order_by("category", "position", "id")


OVERDUE_LIMIT = 500


def _periods(year: int, today: dt.date, *, due_within: int | None = None) -> list[tuple[str, str, dt.date]]:
    """(frequency, period, period end) of the year. Overdue: deadline passed. `due_within`: deadline in
    [today, today + n days], the periods reminders warn about."""
    from dangjian.rules.meetings import period_bounds, periods_in

    out = []
    for freq, period in rules.FREQUENCY_PERIOD.items():
        for label in periods_in(year, period):
            last = period_bounds(label)[1]
            dl = rules.deadline(label)
            if due_within is None:
                ok = dl < today
            else:
                ok = today <= dl <= today + dt.timedelta(days=due_within) and last < today
            if ok:
                out.append((freq, label, last))
    return out


MISSING_SQL = """
WITH p(frequency, period, period_end) AS (VALUES {values})
SELECT o.id, o.code, o.name, o.path, e.id, e.title, e.category, e.frequency, p.period
FROM orgs_org o
JOIN disclosure_catalogentry e
  ON e.active AND e.domain = o.domain
 AND substr(o.path, 1, length(e.owner_path)) = e.owner_path
 AND (e.org_type = o.org_type OR (e.org_type = '' AND o.org_type IN ({basic})))
JOIN p ON p.frequency = e.frequency AND p.period_end >= e.effective_from
WHERE o.path LIKE %s
  AND NOT EXISTS (
      SELECT 1 FROM disclosure_disclosureitem d
      WHERE d.org_id = o.id AND d.catalog_entry_id = e.id AND d.period = p.period
        AND d.status = 'published')
ORDER BY o.path, p.period, e.position, e.id
"""


def missing(root, periods: list[tuple[str, str, dt.date]], *, limit: int | None = OVERDUE_LIMIT) -> tuple[list, int]:
    """([row, …], total) of (organization, catalogue entry, period) in the subtree of `root` with no
    published item, for the given periods: one statement joining organizations, the entries that bind them
    and the periods, minus what was published; a second one counts. Rows are dicts.

    "Published" is an item in status published: a corrected item's current version is (its old versions are
    superseded), and when that version is withdrawn the whole chain leaves the public page, so its superseded
    versions must not count either."""
    from django.db import connection

    if not periods:
        return [], 0
    values = ", ".join(["(%s, %s, %s)"] * len(periods))
    flat = [x for row in periods for x in row]
    basic = ", ".join(["%s"] * len(BASIC_ORG_TYPES))
    sql = MISSING_SQL.format(values=values, basic=basic)
    params = [*flat, *BASIC_ORG_TYPES, root.path + "%"]
    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM ({sql}) AS m", params)
        total = c.fetchone()[0]
        c.execute(sql + (f" LIMIT {int(limit)}" if limit else ""), params)
        cols = ("org_id", "org_code", "org_name", "org_path", "entry_id", "entry_title", "category", "frequency",
                "period")
        rows = [dict(zip(cols, r, strict=True)) for r in c.fetchall()]
    for r in rows:
        r["deadline"] = rules.deadline(r["period"])
        r["category_label"] = CATEGORY_SHORT.get(r["category"], "")
        r["frequency_label"] = Frequency(r["frequency"]).label
    return rows, total


def overdue(root, year: int, today: dt.date, *, limit: int | None = OVERDUE_LIMIT) -> tuple[list, int]:
    """What the organizations under `root` should have published for `year` by `today` and have not."""
    return missing(root, _periods(year, today), limit=limit)


# ---------------------------------------------------------------- major matters (待公开事项)

MATTER_STATES = ("open", "overdue", "published", "cancelled", "all")
MATTER_STATE_LABELS = {"open": "未公开", "overdue": "逾期未公开", "published": "已公开", "cancelled": "已撤销",
                       "all": "全部"}
# The state of one matter (state_of): rules.disclosure.MATTER_STATES, or cancelled.
STATE_LABELS = {**rules.MATTER_STATES, "cancelled": "已撤销登记"}


def _published_items():
    """A matter's items on the public page now: a correction's current version is PUBLISHED (its old ones are
    SUPERSEDED, and stay so when the current one is withdrawn, which takes the whole chain off the page)."""
    return DisclosureItem.objects.filter(matter=OuterRef("pk"), status=Status.PUBLISHED)


def _cutoff(today: dt.date) -> dt.date:
    """Matters that occurred before this day are past their deadline on `today` (occurred_on + N < today)."""
    from dangjian.rules.base import value

    return today - dt.timedelta(days=int(value(rules.MAJOR_WITHIN_DAYS)))


def matter_list(user, params, today: dt.date) -> tuple:
    """(queryset, filters) of the registered matters `user` may see, narrowed by ?org=CODE (subtree) and
    ?state=open (not published, not cancelled; the default) | overdue | published | cancelled | all. Each row is
    annotated with `first_published_at`; `state_of(matter, today)` names its state."""
    qs = Matter.objects.restrict(user, "view")
    f = {"org": None, "state": "open"}
    code = (params.get("org") or "").strip()
    if code:
        org = Org.objects.restrict(user, "view").filter(code=code).first()
        f["org"] = org
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    state = params.get("state") or "open"
    f["state"] = state = state if state in MATTER_STATES else "open"
    unpublished = Q(cancelled_at__isnull=True) & ~Exists(_published_items())
    if state == "open":
        qs = qs.filter(unpublished)
    elif state == "overdue":
        qs = qs.filter(unpublished, occurred_on__lt=_cutoff(today), catalog_entry__active=True)
    elif state == "published":
        qs = qs.filter(Exists(_published_items()))
    elif state == "cancelled":
        qs = qs.filter(cancelled_at__isnull=False)
    return (qs.with_published_at().select_related("org", "catalog_entry").order_by("occurred_on", "id"), f)


def state_of(matter: Matter, today: dt.date) -> str:
    """"cancelled" or one of rules.disclosure.MATTER_STATES (needs Matter.objects.with_published_at())."""
    if matter.cancelled_at is not None:
        return "cancelled"
    at = matter.first_published_at if matter.published_now else None
    return rules.matter_state(matter.occurred_on, timezone.localtime(at).date() if at else None, today)


def unpublished_matters(root, *, occurred_from: dt.date | None = None, occurred_to: dt.date | None = None,
                        limit: int | None = OVERDUE_LIMIT) -> tuple[list, int]:
    """([row, …], total) of the matters under `root` (not cancelled, of an active entry) that occurred in
    [occurred_from, occurred_to] and have no published item: one query for the rows, one for the count. Rows are
    dicts shaped like `missing`'s, plus the matter's id, title, date and deadline."""
    qs = Matter.objects.filter(org_path__startswith=root.path, cancelled_at__isnull=True,
                               catalog_entry__active=True).filter(~Exists(_published_items()))
    if occurred_from is not None:
        qs = qs.filter(occurred_on__gte=occurred_from)
    if occurred_to is not None:
        qs = qs.filter(occurred_on__lte=occurred_to)
    total = qs.count()
    qs = qs.order_by("org_path", "occurred_on", "id").values_list(
        "org_id", "org__code", "org__name", "org_path", "catalog_entry_id", "catalog_entry__title",
        "catalog_entry__category", "id", "title", "occurred_on")
    rows = []
    for (org_id, code, name, path, entry_id, entry_title, category, pk, title, occurred_on) in (
            qs[:limit] if limit else qs):
        rows.append({"org_id": org_id, "org_code": code, "org_name": name, "org_path": path, "entry_id": entry_id,
                     "entry_title": entry_title, "category": category, "frequency": Frequency.IMMEDIATE.value,
                     "category_label": CATEGORY_SHORT.get(category, ""), "period": "", "matter_id": pk,
                     "matter_title": title, "occurred_on": occurred_on,
                     "deadline": rules.matter_deadline(occurred_on)})
    return rows, total


def overdue_matters(root, year: int | None, today: dt.date, *, limit: int | None = OVERDUE_LIMIT) -> tuple[list, int]:
    """The major matters under `root` that occurred in `year` (any year: None) and were still not published after
    rules.disclosure.MAJOR_WITHIN_DAYS on `today`."""
    last = _cutoff(today) - dt.timedelta(days=1)
    if year is not None:
        last = min(last, dt.date(year, 12, 31))
    first = dt.date(year, 1, 1) if year is not None else None
    if first is not None and first > last:
        return [], 0
    rows, total = unpublished_matters(root, occurred_from=first, occurred_to=last, limit=limit)
    for r in rows:
        r["days_late"] = (today - r["deadline"]).days
    return rows, total


def matter_todo(user, today: dt.date) -> dict[str, int]:
    """待我处理 counts of the registered major matters (not cancelled, of an active entry, nothing published), in
    one query, the two ways the reminders tell them:

    - `own_overdue`, `own_due`: matters of an organization the user's grant that may publish (WRITE_ACTION) is on
      — the branch of its secretary, the committee of its admin — past their deadline, or due within
      rules.disclosure.REMINDER_LEAD_DAYS;
    - `below_overdue`: overdue matters of the organizations strictly below one the user administers (change_org):
      the committee above follows them up (like `reviewable`, the whole subtree, not only the children).

    No query when the user's grants reach neither."""
    from dangjian.rules.base import value

    from .models import WRITE_ACTION

    out = {"own_overdue": 0, "own_due": 0, "below_overdue": 0}
    if not getattr(user, "is_authenticated", False):
        return out
    scope = scope_for(user)
    own = below = None
    if scope.everything:
        below = Q()
    else:
        if scope.prefixes(WRITE_ACTION):
            own = Q(org_path__in=scope.prefixes(WRITE_ACTION))
        for p in scope.prefixes("change_org"):
            q = Q(org_path__startswith=p) & ~Q(org_path=p)
            below = q if below is None else below | q
    if own is None and below is None:
        return out
    cutoff = _cutoff(today)
    overdue = Q(occurred_on__lt=cutoff)
    due = Q(occurred_on__gte=cutoff, occurred_on__lte=cutoff + dt.timedelta(days=int(value(rules.REMINDER_LEAD_DAYS))))
    counts = {}
    if own is not None:
        counts |= {"own_overdue": Count("pk", filter=own & overdue), "own_due": Count("pk", filter=own & due)}
    if below is not None:
        counts["below_overdue"] = Count("pk", filter=below & overdue)
    reach = own if below is None else below if own is None else own | below
    qs = (Matter.objects.filter(reach, cancelled_at__isnull=True, catalog_entry__active=True)
          .filter(~Exists(_published_items())))
    return out | qs.aggregate(**counts)


def matters_due(root, today: dt.date, within: int) -> list:
    """Unpublished matters under `root` whose deadline falls in [today, today + within days]: what reminders warn
    about."""
    cutoff = _cutoff(today)
    return unpublished_matters(root, occurred_from=cutoff, occurred_to=cutoff + dt.timedelta(days=within),
                               limit=None)[0]
