"""The permission matrix of /api/v1/orgs/ and /api/v1/members/: every endpoint × every role of the cast ×
an object inside and one outside the role's scope, with the status code each must answer.

The rules it spells out (CONTRACT "Web API", "Roles"; DESIGN "Scope"):
- anonymous → 401 everywhere;
- an object outside the scope of the action → 404, also when the user may see the object but not do that
  action to it (a viewer PATCHing a member it can read);
- POST to a list (create) has no object to hide: a role that grants the action nowhere → 403; a body's
  "parent"/"org" outside the scope → 400 on that field;
- members are never deleted: DELETE → 405.

`CASES` is data, so another test can import it: `COVERED_URL_NAMES` is the set of URL pattern names the
matrix exercises (the integrator's URL walk checks every API pattern is among them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from dangjian.core import idcard

ROLES = ("city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user",
         "outsider", "anonymous")

# Organizations of the world (tests/conftest.py `tree`, plus two made by `build_world`):
#   C 示范市委 ─ CA 东县县委 ─ CA1 城关镇党委 ─ CA1B1 东村, CA1B2 西村, CA1B9 (empty branch), CA1G (党总支)
#             └ CB 西区区委 ─ CB01 花园社区
ALL_ORGS = {"C", "CA", "CA1", "CA1B1", "CA1B2", "CA1B9", "CA1G", "CB", "CB01"}
CA_ORGS = {"CA", "CA1", "CA1B1", "CA1B2", "CA1B9", "CA1G"}
ORG_VIEW: dict[str, set[str]] = {
    "city_admin": ALL_ORGS,
    "county_admin": CA_ORGS,
    "town_admin": CA_ORGS - {"CA"},
    "secretary1": {"CA1B1"},
    "secretary2": {"CA1B2"},
    "viewer": CA_ORGS,
    "member_user": {"CA1B1"},  # the member role sees its own branch
    "outsider": set(),
}
# Members: m1 (东村, linked to member_user), m2 (东村), m3 (西村), m4 (花园社区, the other district).
MEMBER_VIEW: dict[str, set[str]] = {
    "city_admin": {"m1", "m2", "m3", "m4"},
    "county_admin": {"m1", "m2", "m3"},
    "town_admin": {"m1", "m2", "m3"},
    "secretary1": {"m1", "m2"},
    "secretary2": {"m3"},
    "viewer": {"m1", "m2", "m3"},
    "member_user": {"m1"},
    "outsider": set(),
}

ADMINS_CA1 = {"city_admin", "county_admin", "town_admin"}
VIEW_CA1 = ADMINS_CA1 | {"viewer"}
VIEW_B1 = VIEW_CA1 | {"secretary1", "member_user"}
MANAGE_B1 = ADMINS_CA1 | {"secretary1"}
NO_CHANGE_ORG = {"secretary1", "secretary2", "viewer", "member_user", "outsider"}
NO_CHANGE_MEMBER = {"viewer", "member_user", "outsider"}
LOOK_AFTER = VIEW_CA1 | {"secretary1", "secretary2"}  # a view grant somewhere (the member lists)


def expect(ok: int, allowed: set[str], *, default: int = 404, **special: int) -> dict[str, int]:
    """Status per role: `ok` for `allowed`, `default` for the rest, 401 for anonymous; `special` overrides."""
    out = {r: (ok if r in allowed else default) for r in ROLES}
    out["anonymous"] = 401
    out.update(special)
    return out


def every(code: int) -> dict[str, int]:
    return expect(code, set(ROLES))


@dataclass(frozen=True)
class Case:
    name: str  # the test id
    url_name: str  # URL pattern name, for reverse() and for the coverage walk
    method: str
    target: str | None  # an org code, or "m1".."m4"; None for a list
    expected: dict[str, int]
    payload: dict | Callable[[SimpleNamespace], dict] | None = None
    query: dict = field(default_factory=dict)
    # For writes: did the write take effect? Checked both ways (done when allowed, not done when refused).
    done: Callable[[SimpleNamespace], bool] | None = None


def _org(code):
    from dangjian.orgs.models import Org

    return Org.objects.filter(code=code).first()


def _member(w, key):
    from dangjian.members.models import Member

    return Member.objects.get(pk=getattr(w, key).pk)


NEW_ID = idcard.make("370102", dt.date(1992, 4, 8), 11)  # male (odd sequence)
NEW_ID_2 = idcard.make("370102", dt.date(1993, 6, 9), 13)


def _new_member(org_code, id_number):
    return {"org": org_code, "name": "刘洋", "id_number": id_number, "education": "bachelor", "category": "full",
            "joined_on": "2015-07-01", "confirmed_on": "2016-07-01", "phone": "13700001111"}


def _new_org(code, parent):
    return {"parent": parent, "code": code, "name": f"新建党支部{code}", "org_type": "branch", "domain": "rural"}


CASES: list[Case] = [
    # ---- organizations ----
    Case("org-list", "org-list", "get", None, every(200)),
    Case("org-list-under-CA1", "org-list", "get", None, expect(200, VIEW_CA1), query={"under": "CA1"}),
    Case("org-list-parent-CA1", "org-list", "get", None, expect(200, VIEW_CA1), query={"parent": "CA1"}),
    Case("org-detail-get-in", "org-detail", "get", "CA1B1", expect(200, VIEW_B1)),
    Case("org-detail-get-out", "org-detail", "get", "CB01", expect(200, {"city_admin"})),
    Case("org-patch-in", "org-detail", "patch", "CA1B1", expect(200, ADMINS_CA1), payload={"contact_person": "王书记"},
         done=lambda w: _org("CA1B1").contact_person == "王书记"),
    Case("org-patch-out", "org-detail", "patch", "CB01", expect(200, {"city_admin"}), payload={"contact_person": "赵书记"},
         done=lambda w: _org("CB01").contact_person == "赵书记"),
    Case("org-put-in", "org-detail", "put", "CA1B2", expect(200, ADMINS_CA1),
         payload={"code": "CA1B2", "name": "城关镇西村党支部（新）", "org_type": "branch", "domain": "rural"},
         done=lambda w: _org("CA1B2").name == "城关镇西村党支部（新）"),
    Case("org-delete-in", "org-detail", "delete", "CA1B9", expect(204, ADMINS_CA1), done=lambda w: _org("CA1B9") is None),
    # CB01 still has a member: even the city admin is refused, with a Chinese reason.
    Case("org-delete-out", "org-detail", "delete", "CB01", expect(400, {"city_admin"}), done=lambda w: _org("CB01") is None),
    Case("org-create-in", "org-list", "post", None, expect(201, ADMINS_CA1, **{r: 403 for r in NO_CHANGE_ORG}),
         payload=_new_org("CA1B3", "CA1"), done=lambda w: _org("CA1B3") is not None),
    Case("org-create-out", "org-list", "post", None,
         expect(201, {"city_admin"}, default=400, **{r: 403 for r in NO_CHANGE_ORG}),
         payload=_new_org("CB02", "CB"), done=lambda w: _org("CB02") is not None),
    Case("org-move-in", "org-move", "post", "CA1B2", expect(200, ADMINS_CA1), payload={"parent": "CA1G", "reason": "合并管理"},
         done=lambda w: _org("CA1B2").path.startswith(_org("CA1G").path)),
    Case("org-move-out", "org-move", "post", "CB01", expect(200, {"city_admin"}), payload={"parent": "CA1G", "reason": "区划调整"},
         done=lambda w: _org("CB01").path.startswith(_org("CA1G").path)),
    # The object is in scope, the new parent is not: a 400 on "parent" (county and town admins).
    Case("org-move-to-out", "org-move", "post", "CA1B1",
         expect(200, {"city_admin"}, default=404, county_admin=400, town_admin=400),
         payload={"parent": "CB", "reason": "跨区调整"}, done=lambda w: _org("CA1B1").path.startswith(_org("CB").path)),
    Case("org-history-in", "org-history", "get", "CA1B1", expect(200, VIEW_B1)),
    Case("org-history-out", "org-history", "get", "CB01", expect(200, {"city_admin"})),
    # ---- members ----
    Case("member-list", "member-list", "get", None, every(200)),
    Case("member-list-org-CA1", "member-list", "get", None, expect(200, VIEW_CA1), query={"org": "CA1"}),
    Case("member-detail-get-in", "member-detail", "get", "m1", expect(200, VIEW_B1)),
    Case("member-detail-get-out", "member-detail", "get", "m4", expect(200, {"city_admin"})),
    Case("member-patch-phone-own", "member-detail", "patch", "m1", expect(200, MANAGE_B1 | {"member_user"}),
         payload={"phone": "13912340000"}, done=lambda w: _member(w, "m1").phone == "13912340000"),
    # A plain member may change only phone and address of their own record.
    Case("member-patch-job-own", "member-detail", "patch", "m1", expect(200, MANAGE_B1, member_user=400),
         payload={"job": "教师"}, done=lambda w: _member(w, "m1").job == "教师"),
    Case("member-patch-in", "member-detail", "patch", "m2", expect(200, MANAGE_B1), payload={"phone": "13912340002"},
         done=lambda w: _member(w, "m2").phone == "13912340002"),
    Case("member-patch-out", "member-detail", "patch", "m4", expect(200, {"city_admin"}), payload={"phone": "13912340004"},
         done=lambda w: _member(w, "m4").phone == "13912340004"),
    Case("member-delete", "member-detail", "delete", "m1", every(405), done=lambda w: not _member_exists(w, "m1")),
    Case("member-create-in", "member-list", "post", None,
         expect(201, MANAGE_B1, default=400, **{r: 403 for r in NO_CHANGE_MEMBER}),
         payload=_new_member("CA1B1", NEW_ID), done=lambda w: _member_by_id(NEW_ID)),
    Case("member-create-out", "member-list", "post", None,
         expect(201, {"city_admin"}, default=400, **{r: 403 for r in NO_CHANGE_MEMBER}),
         payload=_new_member("CB01", NEW_ID_2), done=lambda w: _member_by_id(NEW_ID_2)),
    # The branch's secretary requests a change through a status case; only the committee above records it (403).
    Case("member-status-in", "member-status", "post", "m1", expect(200, ADMINS_CA1, secretary1=403),
         payload={"status": "suspended", "reason": "与党组织失去联系超过六个月", "on": "2025-03-01"},
         done=lambda w: _member(w, "m1").status == "suspended"),
    Case("member-status-out", "member-status", "post", "m4", expect(200, {"city_admin"}),
         payload={"status": "deceased", "reason": "病故", "on": "2025-03-01"},
         done=lambda w: _member(w, "m4").status == "deceased"),
    Case("member-history-in", "member-history", "get", "m1", expect(200, VIEW_B1)),
    Case("member-history-out", "member-history", "get", "m4", expect(200, {"city_admin"})),
    # The list as a file: everyone exports their own scope (a member: their own record); another org is 404.
    Case("member-export", "member-export", "get", None, every(200), query={"format": "csv"}),
    Case("member-export-org-CA1", "member-export", "get", None, expect(200, VIEW_CA1),
         query={"format": "csv", "org": "CA1"}),
    # The 流动党员 and 失联党员 lists as files: for those who look after members (a member has no list: 404).
    Case("mobile-member-export", "mobile-member-export", "get", None, expect(200, LOOK_AFTER),
         query={"format": "csv"}),
    Case("mobile-member-export-org-CA1", "mobile-member-export", "get", None, expect(200, VIEW_CA1),
         query={"format": "csv", "org": "CA1"}),
    Case("lost-contact-export", "lost-contact-export", "get", None, expect(200, LOOK_AFTER),
         query={"format": "csv", "status": "flagged"}),
    Case("lost-contact-export-org-CA1", "lost-contact-export", "get", None, expect(200, VIEW_CA1),
         query={"format": "csv", "org": "CA1"}),
]

COVERED_URL_NAMES = frozenset(c.url_name for c in CASES)


def _member_exists(w, key) -> bool:
    from dangjian.members.models import Member

    return Member.objects.filter(pk=getattr(w, key).pk).exists()


def _member_by_id(number) -> bool:
    from dangjian.members.models import Member

    return Member.objects.filter(id_number=number).exists()


def build_world(cast) -> SimpleNamespace:
    """The cast of tests/conftest.py plus an empty branch (CA1B9, to delete) and a 党总支 (CA1G, to move into)."""
    from tests.factories import make_org

    make_org("CA1B9", "城关镇南村党支部", "branch", parent=cast.tree.town)
    make_org("CA1G", "城关镇机关党总支", "general_branch", parent=cast.tree.town)
    return cast


def url_for(case: Case, w: SimpleNamespace) -> str:
    from django.urls import reverse

    if case.target is None:
        return reverse(case.url_name)
    if case.target.startswith("m"):
        return reverse(case.url_name, kwargs={"pk": getattr(w, case.target).pk})
    return reverse(case.url_name, kwargs={"code": case.target})
