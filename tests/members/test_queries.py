import datetime as dt

import pytest
import time_machine
from django.http import Http404

from dangjian.members import actions
from dangjian.members.queries import FilterError, counted_total, member_list, parse_filter


def names(qs):
    return sorted(m.name for m in qs)


def test_county_admin_sees_subtree_only(cast):
    f = parse_filter(cast.county_admin, {})
    assert names(member_list(cast.county_admin, f)) == ["张伟", "李娜", "王强"]


def test_org_outside_scope_is_404(cast):
    with pytest.raises(Http404):
        parse_filter(cast.secretary1, {"org": "CB"})


def test_member_sees_only_self(cast):
    assert names(member_list(cast.member_user, parse_filter(cast.member_user, {}))) == ["张伟"]


def test_search_by_pinyin_initials_and_id_tail(cast):
    u = cast.city_admin
    assert names(member_list(u, parse_filter(u, {"q": "zhangwei"}))) == ["张伟"]
    assert names(member_list(u, parse_filter(u, {"q": "zw"}))) == ["张伟"]
    assert names(member_list(u, parse_filter(u, {"q": "张"}))) == ["张伟"]
    tail = cast.m4.id_number[-6:]
    assert names(member_list(u, parse_filter(u, {"q": tail}))) == ["赵敏"]


@time_machine.travel(dt.date(2026, 11, 22))
def test_filters(cast):
    u = cast.city_admin
    assert names(member_list(u, parse_filter(u, {"gender": "F"}))) == ["李娜", "赵敏"]
    assert names(member_list(u, parse_filter(u, {"category": "probationary"}))) == ["李娜"]
    assert names(member_list(u, parse_filter(u, {"age": "56-60"}))) == ["赵敏"]  # born 1970-01-02: 56
    assert names(member_list(u, parse_filter(u, {"joined_year": "2025"}))) == ["李娜"]
    with pytest.raises(FilterError):
        parse_filter(u, {"age": "99"})


def test_status_filter_and_counter_total(cast):
    u = cast.city_admin
    actions.change_status(cast.m3, "deceased", reason="病故", on=dt.date(2024, 2, 1))
    f = parse_filter(u, {"org": "C"})
    qs = member_list(u, f)
    assert counted_total(u, f, qs) == qs.count() == 3
    f_all = parse_filter(u, {"org": "C", "status": "all"})
    assert counted_total(u, f_all, member_list(u, f_all)) == 4
    f_dead = parse_filter(u, {"status": "deceased"})
    assert names(member_list(u, f_dead)) == ["王强"]


def test_a_category_alone_is_counted_by_the_counters(cast, django_assert_num_queries):
    """正式党员 or 预备党员 of a subtree: the org's counters keep them apart, so a province's list of its 预备党员 is
    counted without reading its members; with another filter besides, COUNT(*)."""
    u = cast.city_admin
    actions.change_status(cast.m3, "deceased", reason="病故", on=dt.date(2024, 2, 1))
    for category, expected in (("full", 2), ("probationary", 1)):
        f = parse_filter(u, {"org": "C", "category": category})
        qs = member_list(u, f)
        assert qs.count() == expected
        with django_assert_num_queries(0):
            assert counted_total(u, f, qs) == expected
    f = parse_filter(u, {"org": "C", "category": "full", "gender": "F"})
    assert counted_total(u, f, member_list(u, f)) == 1  # 赵敏
    county = parse_filter(cast.county_admin, {"org": "CA", "category": "full"})
    assert counted_total(cast.county_admin, county, member_list(cast.county_admin, county)) == 1  # 张伟


def test_as_of_list(cast):
    u = cast.city_admin
    with time_machine.travel(dt.datetime(2030, 1, 5, 12, tzinfo=dt.timezone.utc)):
        actions.change_status(cast.m3, "transferred_out", reason="转往外省", on=dt.date(2030, 1, 5))
    before = parse_filter(u, {"as_of": "2029-12-31"})
    assert "王强" in names(member_list(u, before))
    after = parse_filter(u, {"as_of": "2030-01-06"})
    assert "王强" not in names(member_list(u, after))


def test_member_role_reaches_own_record_for_view_and_update_self_only(cast):
    from dangjian.members.models import Member

    u = cast.member_user
    assert list(Member.objects.restrict(u, "view")) == [cast.m1]
    assert list(Member.objects.restrict(u, "update_self")) == [cast.m1]
    # managing members (status, transfers, dues) is never reached through the own-record link
    assert not Member.objects.restrict(u, "change_member").exists()
    assert not Member.objects.restrict(u, "view_sensitive").exists()
    assert set(Member.objects.restrict(cast.secretary1, "update_self")) == {cast.m1, cast.m2}


def test_viewer_id_search_limited_to_the_last_four_digits(cast):
    full = cast.m1.id_number
    # a viewer typing a whole ID number searches only by its last 4 digits (what the mask shows)
    f = parse_filter(cast.viewer, {"q": "1" * 14 + full[-4:]})
    assert "张伟" in names(member_list(cast.viewer, f))
    # admin and secretary search by as many digits as they type
    f = parse_filter(cast.county_admin, {"q": "1" * 14 + full[-4:]})
    assert names(member_list(cast.county_admin, f)) == []


def test_phone_filters_find_the_numbers_to_fill_in_and_to_correct(cast):
    """?phone=missing lists members without a number; ?phone=suspect those whose stored number starts with 1 and is
    no mobile number (typed before the check existed), as the database finds them (PostgreSQL's ~, SQLite's REGEXP)."""
    from dangjian.members.models import Member

    Member.objects.filter(pk=cast.m1.pk).update(phone="138 0000 123")
    Member.objects.filter(pk=cast.m2.pk).update(phone="")
    Member.objects.filter(pk=cast.m3.pk).update(phone="0371-63921234")
    u = cast.county_admin
    assert names(member_list(u, parse_filter(u, {"phone": "suspect"}))) == ["张伟"]
    assert names(member_list(u, parse_filter(u, {"phone": "missing"}))) == ["李娜"]
    f = parse_filter(u, {"org": "CA", "phone": "suspect"})
    assert f.narrows() and counted_total(u, f, member_list(u, f)) == 1  # not the counters' 3
    with pytest.raises(FilterError, match="联系电话筛选“x”无效"):
        parse_filter(u, {"phone": "x"})


def test_the_list_without_an_org_is_counted_by_the_scopes_counters(cast):
    """/members/ with no ?org=: the subtrees of the user's grants, summed from their counters in one query; a user
    who may also see their own record elsewhere (the member role) is counted by COUNT(*)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.models import Grant, User
    from tests.factories import make_user

    actions.change_status(cast.m3, "deceased", reason="病故", on=dt.date(2024, 2, 1))
    two = make_user("two_branches", "secretary", cast.tree.b1)
    Grant.objects.create(user=two, role="viewer", org=cast.tree.b3)
    root = User.objects.create_superuser("root", password="pw-root")

    def count(user, params):
        f = parse_filter(user, params)
        qs = member_list(user, f)
        expected = qs.count()
        with CaptureQueriesContext(connection) as ctx:
            total = counted_total(user, f, qs)
        assert total == expected, (user.username, params)
        return total, [q["sql"].upper() for q in ctx.captured_queries]

    for user in (cast.city_admin, cast.county_admin, two, root):
        for params in ({}, {"category": "probationary"}):
            _total, sqls = count(user, params)
            assert len(sqls) == 1 and "SUM(" in sqls[0] and "MEMBERS_MEMBER" not in sqls[0], (user.username, sqls)
    assert count(two, {})[0] == 3  # 张伟 李娜 of the branch, 赵敏 of the other
    assert count(cast.outsider, {}) == (0, [])  # no grant: nothing to count, nothing asked
    total, sqls = count(cast.member_user, {})
    assert total == 1 and "MEMBERS_MEMBER" in sqls[0]  # their own record, by COUNT(*)
