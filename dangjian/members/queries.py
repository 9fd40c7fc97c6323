"""Reads of the member registry shared by the web list, the API and exports.

`member_list(user, params)` turns the list's filters into one queryset that starts from
`Member.objects.restrict(user, "view")`, so every consumer sees exactly the same rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.core.dates import add_years
from dangjian.orgs.models import Org

from .choices import AGE_BANDS, Category, Education, Gender, Status
from .models import Member
from .search import search_q

AGE_BAND_KEYS = {key: (lo, hi) for key, _label, lo, hi in AGE_BANDS}
# Filters a list accepts, as query-string names (web, API, export share them).
FILTER_PARAMS = ("org", "q", "category", "gender", "education", "age", "ethnicity", "joined_year", "status", "as_of")


@dataclass
class MemberFilter:
    org: Org | None = None
    q: str = ""
    category: str = ""
    gender: str = ""
    education: str = ""
    age: str = ""
    ethnicity: str = ""
    joined_year: int | None = None
    status: str = Status.NORMAL  # "" means every status
    as_of: dt.date | None = None

    def narrows(self) -> bool:
        """True when the list is smaller than "the active members of the subtree" (counters don't apply)."""
        return bool(self.q or self.category or self.gender or self.education or self.age or self.ethnicity
                    or self.joined_year or self.as_of or self.status != Status.NORMAL)


class FilterError(ValueError):
    """A Chinese message naming the bad filter value."""


def parse_filter(user, params) -> MemberFilter:
    """Read filters from a QueryDict/dict. An `org` outside the user's scope raises Http404."""
    f = MemberFilter()
    code = (params.get("org") or "").strip()
    if code:
        org = Org.objects.restrict(user, "view").filter(code=code).first()
        if org is None:
            raise Http404("党组织不存在")
        f.org = org
    f.q = (params.get("q") or "").strip()[:50]
    for name, choices in (("category", Category), ("gender", Gender), ("education", Education)):
        v = (params.get(name) or "").strip()
        if v and v not in choices.values:
            raise FilterError(f"筛选条件“{name}”的值“{v}”无效")
        setattr(f, name, v)
    age = (params.get("age") or "").strip()
    if age and age not in AGE_BAND_KEYS:
        raise FilterError(f"年龄段“{age}”无效")
    f.age = age
    f.ethnicity = (params.get("ethnicity") or "").strip()
    year = (params.get("joined_year") or "").strip()
    if year:
        if not year.isdigit() or not 1921 <= int(year) <= 2100:
            raise FilterError(f"入党年份“{year}”无效")
        f.joined_year = int(year)
    if "status" in params:
        status = (params.get("status") or "").strip()
        if status and status not in Status.values and status != "all":
            raise FilterError(f"党籍状态“{status}”无效")
        f.status = "" if status in ("", "all") else status
    as_of = (params.get("as_of") or "").strip()
    if as_of:
        try:
            f.as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise FilterError(f"日期“{as_of}”无效，请用2024-12-31的格式") from None
    return f


def member_list(user, f: MemberFilter, *, today: dt.date | None = None) -> QuerySet:
    """The members `user` may see that match `f`, newest entries last (keyset-friendly order: org_path, id)."""
    if f.as_of:
        return members_as_of(user, f)
    qs = Member.objects.restrict(user, "view")
    if f.org is not None:
        qs = qs.filter(org_path__startswith=f.org.path)
    f = _limit_id_search(user, f)
    qs = _apply_filters(qs, f, today or timezone.localdate())
    return qs.select_related("org").order_by("org_path", "id")


def _apply_filters(qs, f: MemberFilter, today: dt.date):
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.category:
        qs = qs.filter(category=f.category)
    if f.gender:
        qs = qs.filter(gender=f.gender)
    if f.education:
        qs = qs.filter(education=f.education)
    if f.ethnicity:
        qs = qs.filter(ethnicity="汉族") if f.ethnicity == "汉族" else (
            qs.exclude(ethnicity="汉族") if f.ethnicity == "少数民族" else qs.filter(ethnicity=f.ethnicity))
    if f.joined_year:
        qs = qs.filter(joined_on__gte=dt.date(f.joined_year, 1, 1), joined_on__lte=dt.date(f.joined_year, 12, 31))
    if f.age:
        lo, hi = AGE_BAND_KEYS[f.age]
        # age in [lo, hi]  <=>  born after today-(hi+1) years and on/before today-lo years
        qs = qs.filter(birth_date__gt=add_years(today, -(hi + 1)), birth_date__lte=add_years(today, -lo))
    return qs


def _limit_id_search(user, f: MemberFilter) -> MemberFilter:
    """Users who only see masked numbers (viewers, members) may search by the last 4 digits, which the
    mask shows anyway; a longer number would let them test whether a full ID belongs to someone."""
    from dataclasses import replace

    from dangjian.core.scope import scope_for

    digits = f.q.upper()
    if len(digits) > 4 and digits[:-1].isdigit() and digits[-1:].isalnum():
        scope = scope_for(user)
        if not (scope.everything or scope.prefixes("view_sensitive")):
            return replace(f, q=digits[-4:])
    return f


def members_as_of(user, f: MemberFilter):
    """The member list as it stood at the end of day `f.as_of` (simple-history versions).

    Scope is today's scope applied to the historical org path. Returns historical records
    (same field names as Member) ordered like the live list.
    """
    end = timezone.make_aware(dt.datetime.combine(f.as_of, dt.time.max))
    # The latest version of each member at that moment, as historical records: `history.as_of()` would turn
    # each row back into a Member with one extra query per row (for the fields history does not keep) and
    # would drop select_related. Members are never deleted, but a deletion record would end the member.
    hist = Member.history.filter(history_date__lte=end).latest_of_each().exclude(history_type="-")
    scope_ids = Member.objects.restrict(user, "view").values("id")
    qs = hist.filter(id__in=scope_ids) if not _is_everything(user) else hist
    if f.org is not None:
        qs = qs.filter(org_path__startswith=f.org.path)
    qs = _apply_filters(qs, _limit_id_search(user, f), f.as_of)
    return qs.select_related("org").order_by("org_path", "id")


def _is_everything(user) -> bool:
    from dangjian.core.scope import scope_for

    return scope_for(user).everything


def counted_total(user, f: MemberFilter, qs) -> int:
    """The exact count of the list: from the org counters when nothing narrows the list and the org
    lies wholly in the user's view scope, otherwise COUNT(*)."""
    from dangjian.core.scope import scope_for

    if f.org is not None and not f.narrows() and scope_for(user).covers(f.org.path, "view"):
        return f.org.subtree_total
    return qs.count()
