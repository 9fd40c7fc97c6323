"""The generated city (in memory): realistic shape, valid data, deterministic."""

import datetime as dt
import hashlib
from collections import Counter

import pytest

from dangjian.core import idcard
from dangjian.core.dates import add_years, age_on
from dangjian.demo.generator import generate
from dangjian.rules.terms import term_status

TODAY = dt.date(2025, 6, 30)
COLLEGE = {"postgraduate", "bachelor", "college"}


@pytest.fixture(scope="module")
def small():
    return generate(seed=7, size="small", today=TODAY)


@pytest.fixture(scope="module")
def city():
    return generate(seed=1, size="city", today=TODAY)


def _share(members, pred):
    return 100 * sum(1 for m in members if pred(m)) / len(members)


def fingerprint(c) -> str:
    orgs = sorted((o.code, o.name, o.org_type, o.domain, str(o.founded_on)) for o in c.orgs)
    members = sorted((m.id_number, m.name, m.org.code, m.category, m.status, str(m.joined_on)) for m in c.members)
    terms = sorted((t.org.code, t.number, str(t.elected_on), tuple((s.member.id_number, s.position, str(s.ended_on))
                                                                   for s in t.seats)) for t in c.terms)
    return hashlib.sha256(repr((orgs, members, terms, [(lg.username, lg.org.code) for lg in c.logins])).encode()).hexdigest()


@pytest.mark.parametrize("size,lo,hi", [("small", 420, 620), ("city", 4500, 5800)])
def test_sizes_are_about_500_and_5000(size, lo, hi, small, city):
    c = small if size == "small" else city
    assert lo <= len(c.members) <= hi


@pytest.mark.parametrize("size", ["small", "city"])
def test_distributions_are_close_to_the_national_ones(size, small, city):
    active = [m for m in (small if size == "small" else city).members if m.status == "normal"]
    assert 25 <= _share(active, lambda m: m.gender == "F") <= 35
    assert 5 <= _share(active, lambda m: m.ethnicity != "汉族") <= 10
    assert 50 <= _share(active, lambda m: m.education in COLLEGE) <= 62
    assert 1.5 <= _share(active, lambda m: m.category == "probationary") <= 5
    assert 20 <= _share(active, lambda m: age_on(m.birth_date, TODAY) >= 61) <= 38
    assert 9 <= _share(active, lambda m: age_on(m.birth_date, TODAY) <= 30) <= 20
    ages = [age_on(m.birth_date, TODAY) for m in active]
    assert min(ages) >= 18 and max(ages) <= 91


def test_older_members_have_less_schooling(city):
    young = [m for m in city.members if age_on(m.birth_date, TODAY) < 40]
    old = [m for m in city.members if age_on(m.birth_date, TODAY) >= 70]
    assert _share(young, lambda m: m.education in COLLEGE) > _share(old, lambda m: m.education in COLLEGE) + 25


def test_ids_are_valid_and_agree_with_birth_date_and_sex(city):
    seen = set()
    for m in city.members:
        info = idcard.parse(m.id_number)
        assert info.birth_date == m.birth_date and info.sex == m.gender
        assert m.id_number not in seen
        seen.add(m.id_number)


def test_party_dates_follow_the_rules(city):
    for m in city.members:
        assert m.joined_on >= add_years(m.birth_date, 18)
        assert m.joined_on <= TODAY
        if m.category == "full":
            assert m.confirmed_on == add_years(m.joined_on, 1) and m.confirmed_on <= TODAY
        else:
            assert m.confirmed_on is None and (TODAY - m.joined_on).days < 365
        if m.status != "normal":
            assert m.status_reason and m.status_changed_on and m.status_changed_on <= TODAY
        assert not m.phone or (len(m.phone) == 11 and m.phone[0] == "1" and m.phone[1] in "3456789")


def test_members_only_in_branches_of_realistic_size(city):
    sizes = Counter(m.org.code for m in city.members)
    for o in city.orgs:
        if o.is_branch:
            lo = 3 if o.org_type == "joint_branch" else 5
            assert lo <= sizes[o.code] <= 50, o.name
        else:
            assert sizes[o.code] == 0
    assert any(o.org_type == "joint_branch" and sizes[o.code] <= 6 for o in city.orgs)


def test_city_has_every_kind_of_organization(city):
    domains = Counter(o.domain for o in city.orgs)
    for d in ["rural", "community", "government", "soe", "private", "social", "school", "hospital"]:
        assert domains[d] > 0, d
    types = Counter(o.org_type for o in city.orgs)
    for t in ["committee", "work_committee", "general_branch", "branch", "joint_branch"]:
        assert types[t] > 0, t
    names = [o.name for o in city.orgs]
    assert "中共青山市委员会" in names and any("青山钢铁集团" in n for n in names)
    assert any(n.endswith("村党支部") for n in names) and any("社区" in n for n in names)


def test_codes_are_hierarchical(city):
    for o in city.orgs:
        if o.parent is not None:
            assert o.code.startswith(o.parent.code) and len(o.code) == len(o.parent.code) + 2
    assert len({o.code for o in city.orgs}) == len(city.orgs)


def test_mobile_lost_and_departed_members_exist(city):
    statuses = Counter(m.status for m in city.members)
    assert statuses["deceased"] and statuses["expelled"] and statuses["suspended"] and statuses["transferred_out"]
    assert sum(m.is_mobile and m.mobile_destination != "" for m in city.members) >= 20
    assert sum(m.lost_contact and m.status == "normal" for m in city.members) >= 5


def test_terms_some_expired_some_expiring(city):
    current = {}
    for t in city.terms:
        if t.org.code not in current or t.elected_on > current[t.org.code].elected_on:
            current[t.org.code] = t
    assert set(current) == {o.code for o in city.orgs}
    status = Counter(term_status(add_years(t.elected_on, t.years), TODAY) for t in current.values())
    assert status["expired"] >= 5 and status["expiring"] >= 5 and status["ok"] > len(current) * 0.6
    assert any(t.number and t.number > 1 for t in city.terms)


def test_committees_are_drawn_from_the_organization(city):
    for t in city.terms:
        assert len({id(s.member) for s in t.seats}) == len(t.seats)
        for s in t.seats:
            assert s.member.org.code.startswith(t.org.code)
            assert s.member.confirmed_on <= t.elected_on
            assert s.started_on == t.elected_on
    small_branches = [o for o in city.orgs if o.is_branch
                      and sum(1 for m in city.members if m.org is o and m.category == "full" and m.status == "normal"
                              and not m.lost_contact) < 7]
    assert small_branches
    by_org = {}
    for t in city.terms:
        by_org.setdefault(t.org.code, []).append(t)
    for o in small_branches:
        latest = max(by_org[o.code], key=lambda t: t.elected_on)
        assert [s.position for s in latest.seats] in (["secretary"], [])


def test_a_few_branches_have_a_vacant_secretary(city):
    branches = [o for o in city.orgs if o.is_branch]
    assert 2 <= len(city.vacant) <= max(3, len(branches) * 0.06)
    login_orgs = {lg.org.code for lg in city.logins}
    assert not login_orgs & {o.code for o in city.vacant}


def test_logins_link_secretaries_and_member(city):
    logins = {lg.username: lg for lg in city.logins}
    assert set(logins) == {"city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member"}
    assert logins["city_admin"].org is city.root
    assert logins["town_admin"].org.parent is logins["county_admin"].org
    assert logins["secretary1"].org.parent is logins["town_admin"].org
    assert logins["member"].member.org is logins["secretary1"].org
    assert logins["member"].member is not logins["secretary1"].member


def test_same_seed_same_city_other_seed_other_city(small):
    assert fingerprint(generate(seed=7, size="small", today=TODAY)) == fingerprint(small)
    assert fingerprint(generate(seed=8, size="small", today=TODAY)) != fingerprint(small)
