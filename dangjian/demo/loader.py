"""Writes a generated demo city into the database, and reads back what the demo logins see.

The loader writes set-based (bulk inserts) because thousands of create_member calls would take
minutes; it keeps what the actions would have kept: pinyin keys, org_path copies, member counters
(orgs.actions.rebuild_counts), simple-history versions and one business event ("demo.load").
History versions carry the dates of the events they stand for (founded, 入党, 转正, 去世 …), so
"as of" lists and statistics for past dates work on the demo data.
"""

import copy
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.actions import grant_role
from dangjian.accounts.models import Grant, Role, User
from dangjian.core import audit
from dangjian.core.models import Event
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.orgs.actions import rebuild_counts
from dangjian.orgs.models import CommitteeMember, Org, Term

from .generator import DEMO_PASSWORD, City

LOAD_VERB = "demo.load"
DEMO_USERNAMES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member"]
_BATCH = 1000


def existing_data() -> tuple[int, int]:
    """(organizations, members) already in the database."""
    return Org.objects.count(), Member.objects.count()


def is_loaded() -> bool:
    return Event.objects.filter(verb=LOAD_VERB).exists()


def _at(d: dt.date) -> dt.datetime:
    # Office hours on the day, in the project's time zone: "as of" a date means the end of that day.
    return timezone.make_aware(dt.datetime.combine(d, dt.time(9, 0)))


def _history(model, versions) -> None:
    """Insert history rows for (instance state, date, type, reason) tuples."""
    hmodel = model.history.model
    fields = [f.attname for f in hmodel.tracked_fields]
    rows = [
        hmodel(history_date=_at(when), history_type=kind, history_change_reason=reason, history_user=None,
               **{f: getattr(obj, f) for f in fields})
        for obj, when, kind, reason in versions
    ]
    hmodel.objects.bulk_create(rows, batch_size=_BATCH)


def _member_versions(m: Member, spec, founded: dt.date):
    """入党 (as 预备党员), 转正, 失联, and the 党籍 change, each dated."""
    start = max(spec.joined_on, founded)
    final = copy.copy(m)
    state = copy.copy(m)
    state.status, state.status_reason, state.status_changed_on = Status.NORMAL, "", None
    state.lost_contact, state.lost_contact_on = False, None
    versions = []
    if spec.confirmed_on and spec.confirmed_on > start:
        first = copy.copy(state)
        first.category, first.confirmed_on = "probationary", None
        versions.append((first, start, "+", "演示数据：入党"))
        versions.append((copy.copy(state), spec.confirmed_on, "~", "预备党员转正"))
    else:
        versions.append((copy.copy(state), start, "+", "演示数据"))
    if spec.lost_contact and spec.lost_contact_on and spec.lost_contact_on > versions[-1][1]:
        state.lost_contact, state.lost_contact_on = True, spec.lost_contact_on
        versions.append((copy.copy(state), spec.lost_contact_on, "~", "失去联系"))
    if spec.status != Status.NORMAL:
        when = max(spec.status_changed_on, versions[-1][1])
        versions.append((final, when, "~", f"党籍状态：正常 → {Status(spec.status).label}"))
    else:
        # The last version is the record as it stands (mobile, lost contact, job as today).
        versions[-1] = (final, versions[-1][1], versions[-1][2], versions[-1][3])
    return versions


@transaction.atomic
def load(city: City) -> dict:
    n_orgs, n_members = existing_data()
    if n_orgs or n_members:
        raise ValidationError(
            f"数据库不是空的（已有{n_orgs}个党组织、{n_members}名党员），演示数据只能加载到空数据库")
    taken = list(User.objects.filter(username__in=[lg.username for lg in city.logins]).values_list("username", flat=True))
    if taken:
        raise ValidationError(f"用户名已存在：{'、'.join(taken)}；演示数据只能加载到没有这些账号的数据库")

    # 1. The tree: materialized paths computed here (children in code order, as node_order_by keeps them).
    org_of = {}
    objs = []
    for spec in city.orgs:
        parent = org_of[spec.parent.code] if spec.parent is not None else None
        if parent is None:
            path, depth = Org._get_path(None, 1, 1), 1
        else:
            parent_spec = spec.parent
            pos = parent_spec.children.index(spec) + 1
            path, depth = Org._get_path(parent.path, parent.depth + 1, pos), parent.depth + 1
        org = Org(path=path, depth=depth, numchild=len(spec.children), code=spec.code, name=spec.name,
                  org_type=spec.org_type, domain=spec.domain, founded_on=spec.founded_on, unit_name=spec.unit_name,
                  unit_credit_code=spec.unit_credit_code, contact_person=spec.contact_person,
                  contact_phone=spec.contact_phone, address=spec.address)
        org._history_date = _at(spec.founded_on)
        org._change_reason = "演示数据：成立"
        org_of[spec.code] = org
        objs.append(org)
    bulk_create_with_history(objs, Org, batch_size=_BATCH)

    # 2. Demo accounts (grant_role: the same path as `dangjian grant`).
    users = {}
    for lg in city.logins:
        user, _ = grant_role(lg.username, org=org_of[lg.org.code], role=lg.role, password=DEMO_PASSWORD)
        user.display_name = lg.display_name
        user.save(update_fields=["display_name"])
        users[lg.username] = user

    # 3. Members, with dated history versions.
    members = []
    for s in city.members:
        org = org_of[s.org.code]
        full, initials = pinyin_keys(s.name)
        members.append(Member(
            org=org, org_path=org.path, name=s.name, name_pinyin=full, name_initials=initials, gender=s.gender,
            ethnicity=s.ethnicity, id_number=s.id_number, birth_date=s.birth_date, education=s.education,
            category=s.category, joined_on=s.joined_on, confirmed_on=s.confirmed_on, job=s.job, phone=s.phone,
            address=s.address, status=s.status, status_reason=s.status_reason, status_changed_on=s.status_changed_on,
            lost_contact=s.lost_contact, lost_contact_on=s.lost_contact_on, is_mobile=s.is_mobile,
            mobile_destination=s.mobile_destination, user=users.get(s.login),
        ))
    Member.objects.bulk_create(members, batch_size=_BATCH)
    member_of = {id(s): m for s, m in zip(city.members, members, strict=True)}
    versions = []
    for s, m in zip(city.members, members, strict=True):
        versions.extend(_member_versions(m, s, s.org.founded_on))
    _history(Member, versions)

    # 4. 届次 and 班子.
    terms = []
    for t in city.terms:
        term = Term(org=org_of[t.org.code], number=t.number, elected_on=t.elected_on, years=t.years)
        term._history_date = _at(t.elected_on)
        term._change_reason = "演示数据：换届选举"
        terms.append(term)
    bulk_create_with_history(terms, Term, batch_size=_BATCH)
    seats, ended = [], []
    for t, term in zip(city.terms, terms, strict=True):
        for s in t.seats:
            m = member_of[id(s.member)]
            cm = CommitteeMember(term=term, member=m, name=m.name, position=s.position, duty=s.duty,
                                 started_on=s.started_on, ended_on=s.ended_on)
            seats.append(cm)
            if s.ended_on is not None:
                ended.append(cm)
    CommitteeMember.objects.bulk_create(seats, batch_size=_BATCH)
    versions = []
    for cm in seats:
        start = copy.copy(cm)
        start.ended_on = None
        versions.append((start, cm.started_on, "+", "演示数据：任职"))
    versions.extend((cm, cm.ended_on, "~", "离任") for cm in ended)
    _history(CommitteeMember, versions)

    rebuild_counts()

    # 5. Organization-life records (after the counters: 支委会 is required only with 7+ full members).
    from .orglife import load_meetings

    fresh = list(Org.objects.filter(pk__in=[o.pk for o in objs]))
    by_org: dict = {}
    for m in members:
        if m.status == Status.NORMAL:
            by_org.setdefault(m.org_id, []).append(m)
    n_meetings = load_meetings(city.seed, city.today, fresh, by_org)
    from .recruitment import load_recruitment  # 发展党员 files (after the members: sponsors are full members)

    recruited = load_recruitment(city.seed, city.today, fresh, by_org, users["city_admin"], org_of[next(
        lg.org.code for lg in city.logins if lg.username == "secretary1")])

    # 6. Party dues of this year: bases, ledger, payments, a few in arrears.
    from .dues import load_dues

    dues = load_dues(city.seed, city.today, [m for m in members if m.status == Status.NORMAL] + recruited["admitted"])
    root = org_of[city.root.code]
    # 6. The default 三务公开目录 and 小微权力清单, kept by the city (its admins edit them).
    from dangjian.disclosure.actions import install_default_catalog
    from dangjian.micropower.actions import install_defaults

    install_default_catalog(root, effective_from=city.today.replace(month=1, day=1))
    install_defaults(root)
    from .disclosure import load_disclosure  # this year's published items in many villages, questions, cases

    disclosure = load_disclosure(city.seed, city.today, org_of[next(
        lg.org.code for lg in city.logins if lg.username == "secretary1")], users)
    active = sum(1 for s in city.members if s.status == Status.NORMAL)
    summary = {
        "seed": city.seed, "size": city.size, "today": city.today.isoformat(), "orgs": len(objs),
        "members": len(members) + recruited["members"], "active_members": active + recruited["members"],
        "terms": len(terms), "committee_members": len(seats),
        "vacant_secretaries": [o.code for o in city.vacant], "users": [lg.username for lg in city.logins],
        "meetings": n_meetings, "dues": dues, "recruitment_files": recruited["files"], "disclosure": disclosure,
    }
    from .members_life import load_member_life  # issue 6: mobile members, status and disposal cases
    summary.update(load_member_life(city.today))
    audit.record(LOAD_VERB, obj=root, detail=summary)
    return summary


ROLE_SEES = {
    Role.ADMIN: "“{org}”及全部下级：{orgs}个党组织、{members}名党员；可维护党组织、党员、届次和班子，可给下级授权",
    Role.SECRETARY: "“{org}”：{members}名党员；可维护本支部党员信息，可查看完整身份证号（留痕）",
    Role.VIEWER: "“{org}”及全部下级：{orgs}个党组织、{members}名党员；只读，不能修改",
    Role.MEMBER: "本人（{name}）的党员信息和所在的“{org}”；可修改本人的联系电话和家庭住址",
}


def demo_logins(check_passwords: bool = True) -> list[dict]:
    """The demo accounts as they stand in the database (a deleted account is left out)."""
    rows = []
    grants = {g.user.username: g for g in Grant.objects.filter(user__username__in=DEMO_USERNAMES)
              .select_related("user", "org").order_by("id")}
    for username in DEMO_USERNAMES:
        g = grants.get(username)
        if g is None:
            continue
        user, org = g.user, g.org
        linked = Member.objects.filter(user=user).first()
        sees = ROLE_SEES[g.role].format(
            org=org.name, orgs=Org.objects.filter(path__startswith=org.path).count(),
            members=org.subtree_total, name=linked.name if linked else user.display_name,
        )
        rows.append({
            "username": username,
            "password": DEMO_PASSWORD if not check_passwords or user.check_password(DEMO_PASSWORD) else None,
            "role": g.role, "role_label": Role(g.role).label, "org": org.code, "org_name": org.name,
            "name": user.display_name, "member": linked.name if linked else None, "sees": sees,
        })
    return rows
