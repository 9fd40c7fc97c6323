"""Reads of the member registry shared by the web list, the API and exports.

`member_list(user, params)` turns the list's filters into one queryset that starts from
`Member.objects.restrict(user, "view")`, so every consumer sees exactly the same rows.
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.apps import apps
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Length, Substr
from django.db.models.lookups import Contains, Exact, In, Regex, StartsWith
from django.http import Http404
from django.utils import timezone

from dangjian.core import idcard
from dangjian.core import phone as phones
from dangjian.core.dates import add_years
from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org
from dangjian.orgs.queries import scope_roots
from dangjian.rules import membership as mrules
from dangjian.rules.base import add_months

from .choices import AGE_BANDS, Category, Education, Gender, Status
from .models import CaseStatus, ContactFollowUp, DisposalCase, Member, MobileMembership, StatusCase
from .search import search_q

AGE_BAND_KEYS = {key: (lo, hi) for key, _label, lo, hi in AGE_BANDS}
# Filters a list accepts, as query-string names (web, API, export share them).
FILTER_PARAMS = ("org", "q", "category", "gender", "education", "age", "ethnicity", "joined_year", "phone", "status",
                 "as_of")
PHONE_FILTERS = {"missing": "未填写联系电话", "suspect": "联系电话待核对"}  # ?phone=: numbers to fill in or to correct


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
    phone: str = ""  # a PHONE_FILTERS key
    status: str = Status.NORMAL  # "" means every status
    as_of: dt.date | None = None

    def narrows(self) -> bool:
        """True when the list is smaller than "the active members of the subtree" (counters don't apply)."""
        return bool(self.q or self.category or self.gender or self.education or self.age or self.ethnicity
                    or self.joined_year or self.phone or self.as_of or self.status != Status.NORMAL)


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
    phone = (params.get("phone") or "").strip()
    if phone and phone not in PHONE_FILTERS:
        raise FilterError(f"联系电话筛选“{phone}”无效，应为 missing（未填写）或 suspect（待核对）")
    f.phone = phone
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


# ?phone=suspect: SUSPECT_PATTERN, run only on the cells it could match. A match starts with 1 and either is not
# 11 characters long, or has a space or a hyphen, or its second character is 0-2; a plain mobile number (nearly
# every cell) is none of these. The CASE fixes the order: PostgreSQL otherwise runs the regular expression, about
# 1.5 µs a row, before the cheap tests (1,000,000 members with no match: 1.8 s -> 0.3 s for the count).
_SUSPECT_PHONE = Case(
    When(StartsWith(F("phone"), "1") & (~Exact(Length("phone"), 11) | In(Substr("phone", 2, 1), ("0", "1", "2"))
                                        | Contains(F("phone"), " ") | Contains(F("phone"), "-")),
         then=Regex(F("phone"), phones.SUSPECT_PATTERN)),
    default=Value(False), output_field=BooleanField())


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
    if f.phone == "missing":
        qs = qs.filter(phone="")
    elif f.phone == "suspect":
        qs = qs.filter(_SUSPECT_PHONE)
    if f.age:
        lo, hi = AGE_BAND_KEYS[f.age]
        # age in [lo, hi]  <=>  born after today-(hi+1) years and on/before today-lo years
        qs = qs.filter(birth_date__gt=add_years(today, -(hi + 1)), birth_date__lte=add_years(today, -lo))
    return qs


def _limit_id_search(user, f: MemberFilter) -> MemberFilter:
    """Users who only see masked numbers (viewers, members) may search by the last 4 digits, which the
    mask shows anyway; a longer number would let them test whether a full ID belongs to someone."""
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
    """The exact count of the list: from the organizations' counters when nothing narrows the list but perhaps
    人员类别 (the counters keep 正式 and 预备 apart), otherwise COUNT(*). The counters answer for `?org=` when the org
    lies wholly in the user's view scope, and without it for the scope's own subtrees (one query: a province's
    landing list does not count its millions of members)."""
    scope = scope_for(user)
    if replace(f, category="").narrows():
        return qs.count()
    if f.org is not None:
        if not scope.covers(f.org.path, "view"):
            return qs.count()
        full, prob = f.org.subtree_full, f.org.subtree_probationary
    elif scope.self_members and not scope.everything:  # an own record may lie outside the subtrees
        return qs.count()
    else:
        sums = scope_roots(user).aggregate(full=Sum("subtree_full"), prob=Sum("subtree_probationary"))
        full, prob = sums["full"] or 0, sums["prob"] or 0
    return {"": full + prob, Category.FULL: full, Category.PROBATIONARY: prob}[f.category]


# --- 流动党员, 失联党员, 党籍变更, 不合格党员处置 -------------------------------------------------------------

ACT = "change_member"


def scoped_org(user, code: str) -> Org | None:
    """`?org=CODE` of the lists: an organization the user can see (404 otherwise), or None for no filter."""
    code = (code or "").strip()
    if not code:
        return None
    org = Org.objects.restrict(user, "view").filter(code=code).first()
    if org is None:
        raise Http404("党组织不存在")
    return org


def _open_transfer_exists():
    Transfer = apps.get_model("transfers", "Transfer")
    return Exists(Transfer.objects.filter(member=OuterRef("member_id"), status__in=["pending", "approved"]))


def mobile_list(user, *, org: Org | None = None, current: bool = True) -> QuerySet:
    """流动党员: the home side's and the receiving side's records; `org` keeps those whose home branch or
    receiving organization lies in its subtree."""
    qs = MobileMembership.objects.restrict(user, "view")
    if current:
        qs = qs.current()
    if org is not None:
        qs = qs.filter(Q(member__org_path__startswith=org.path) | Q(receiving_org__path__startswith=org.path))
    return qs.select_related("member", "member__org", "receiving_org").order_by("since", "id")


def contact_shown(user, r: MobileMembership) -> str:
    """A record's 外出期间联系方式 as this user may see it: in full on their own record and where they may see the
    member's numbers in full (view_sensitive over the home branch, as the list's export), otherwise masked (a
    viewer, the receiving side: 139****5678)."""
    if r.member.user_id == user.pk or scope_for(user).covers(r.member.org_path, "view_sensitive"):
        return r.contact
    return idcard.mask_phone(r.contact)


def mobile_tabs(user, today: dt.date, *, org: Org | None = None) -> list[tuple[str, str, QuerySet]]:
    """The tabs of the 流动党员 page, (key, label, records): what the page lists and its export exports."""
    return [("current", "在外流动", mobile_list(user, org=org)),
            ("transfer", "应转移组织关系", transfer_due(user, today, org=org)),
            ("ended", "已返回", mobile_list(user, org=org, current=False).filter(ended_on__isnull=False)
             .order_by("-ended_on", "-id"))]


def transfer_due_cutoff(today: dt.date) -> dt.date:
    return add_months(today, -int(mrules.TRANSFER_AFTER_AWAY_MONTHS.value))


def transfer_due(user, today: dt.date | None = None, *, org: Org | None = None) -> QuerySet:
    """应转移组织关系: away at a relatively fixed place for 6 months or more (党员教育管理工作条例 第二十五条),
    still current, the member still 正常 and not already in a transfer. One query."""
    today = today or timezone.localdate()
    return (mobile_list(user, org=org).filter(fixed_place=True, since__lte=transfer_due_cutoff(today),
                                              member__status=Status.NORMAL)
            .exclude(_open_transfer_exists()))


def lost_contact_cutoff(today: dt.date) -> dt.date:
    return add_months(today, -int(mrules.LOST_CONTACT_MONTHS.value))


def lost_contact_candidates(user, today: dt.date | None = None, *, org: Org | None = None) -> QuerySet:
    """疑似失联: 正常 members who joined before the cutoff and, since the cutoff (6 months), have neither an
    attendance record (出席 or 请假: a leave request is contact) at any meeting nor a live dues payment, and
    are not flagged yet. One query with two NOT EXISTS."""
    today = today or timezone.localdate()
    cutoff = lost_contact_cutoff(today)
    Attendance = apps.get_model("orglife", "Attendance")
    DuesPayment = apps.get_model("dues", "DuesPayment")
    attended = Attendance.objects.filter(member=OuterRef("pk"), status__in=["present", "leave"],
                                         held_on__gte=cutoff)
    paid = DuesPayment.objects.filter(member=OuterRef("pk"), paid_on__gte=cutoff, is_reversed=False,
                                      reverses__isnull=True)
    qs = Member.objects.restrict(user, "view").active().filter(joined_on__lte=cutoff, lost_contact=False)
    if org is not None:
        qs = qs.in_subtree(org)
    return (qs.exclude(Exists(attended)).exclude(Exists(paid)).select_related("org")
            .order_by("org_path", "id"))


def lost_contact_flagged(user, *, org: Org | None = None) -> QuerySet:
    """已标记失联: flagged members (still 正常) with their latest follow-up's date and outcome."""
    latest = ContactFollowUp.objects.filter(member=OuterRef("pk")).order_by("-contacted_on", "-id")
    qs = Member.objects.restrict(user, "view").active().filter(lost_contact=True)
    if org is not None:
        qs = qs.in_subtree(org)
    return (qs.annotate(last_contacted_on=Subquery(latest.values("contacted_on")[:1]),
                        last_outcome=Subquery(latest.values("outcome")[:1]))
            .select_related("org").order_by("lost_contact_on", "id"))


def lost_contact_tabs(user, today: dt.date, *, org: Org | None = None) -> list[tuple[str, str, QuerySet]]:
    """The tabs of the 失联党员 page, (key, label, members): what the page lists and its export exports."""
    return [("candidates", "疑似失联", lost_contact_candidates(user, today, org=org)),
            ("flagged", "已标记失去联系", lost_contact_flagged(user, org=org)),
            ("removal", "停止党籍满2年", suspended_due_for_removal(user, today, org=org))]


def _above_branch_q(user, field: str = "member__org_path") -> Q | None:
    """Rows whose member's branch lies strictly below one of the user's management grants (the committee
    above it): the grant's path is a proper prefix. None means everything (superuser)."""
    scope = scope_for(user)
    if scope.everything:
        return None
    q = Q(pk__in=[])
    for p in scope.prefixes(ACT):
        q |= Q(**{f"{field}__startswith": p}) & ~Q(**{field: p})
    return q


def status_cases(user, *, status: str = "", org: Org | None = None) -> QuerySet:
    qs = StatusCase.objects.restrict(user, "view")
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(member__org_path__startswith=org.path)
    return qs.select_related("member", "member__org", "requested_by", "decided_by", "disposal")


def cases_to_approve(user) -> QuerySet:
    """待审批: pending cases of branches below the user's grants, not requested by the user."""
    qs = status_cases(user, status=CaseStatus.PENDING)
    q = _above_branch_q(user)
    if q is not None:
        qs = qs.filter(q)
    return qs.exclude(requested_by=user).order_by("requested_at", "id")


def disposal_cases(user, *, open_only: bool = False, org: Org | None = None) -> QuerySet:
    qs = DisposalCase.objects.restrict(user, "view")
    if open_only:
        qs = qs.filter(outcome="")
    if org is not None:
        qs = qs.filter(member__org_path__startswith=org.path)
    return qs.select_related("member", "member__org", "created_by", "closed_by")


def suspended_due_for_removal(user, today: dt.date | None = None, *, org: Org | None = None) -> QuerySet:
    """停止党籍满2年 (党员教育管理工作条例 第二十四条): suspended members whose suspension began 2 years ago or more,
    still marked as lost contact, with no pending case — due for 除名 as 自行脱党 if still unreachable."""
    today = today or timezone.localdate()
    cutoff = add_months(today, -12 * int(mrules.SUSPENSION_BEFORE_REMOVAL_YEARS.value))
    qs = Member.objects.restrict(user, "view").filter(status=Status.SUSPENDED, lost_contact=True,
                                                      status_changed_on__lte=cutoff)
    if org is not None:
        qs = qs.in_subtree(org)
    pending = StatusCase.objects.filter(member=OuterRef("pk"), status=CaseStatus.PENDING)
    return qs.exclude(Exists(pending)).select_related("org").order_by("status_changed_on", "id")
