import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangjian.core.models import Event
from dangjian.orglife import actions
from dangjian.orglife.models import Meeting
from tests.factories import api_client as api
from tests.factories import make_member

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def test_record_with_attendance_and_audit(cast):
    m = actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2026, 11, 3), topic="学习党章",
                               attendance=[(cast.m1.pk, "present", ""), (cast.m2.pk, "leave", "外出务工")],
                               by=cast.secretary1)
    assert m.org_path == cast.tree.b1.path and not m.late_entry
    assert {(a.member_id, a.status, a.reason) for a in m.attendance.all()} == {
        (cast.m1.pk, "present", ""), (cast.m2.pk, "leave", "外出务工")}
    assert Event.objects.filter(verb="meeting.create", object_id=str(m.pk)).exists()


def test_future_date_refused(cast):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY + dt.timedelta(days=1), topic="x")


def test_attendance_outside_branch_refused(cast):
    with pytest.raises(ValidationError, match="不是“城关镇东村党支部”的在册党员"):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="志愿服务",
                               attendance=[(cast.m3.pk, "present", "")])


def test_committee_meeting_needs_seven_full_members(cast):
    with pytest.raises(ValidationError, match="不设支部委员会"):
        actions.record_meeting(cast.tree.b1, kind="branch_committee", held_on=TODAY, topic="研究发展党员")
    for i in range(6):
        make_member(cast.tree.b1, f"委员{i}")
    cast.tree.b1.refresh_from_db()
    actions.record_meeting(cast.tree.b1, kind="branch_committee", held_on=TODAY, topic="研究发展党员")


def test_branch_kinds_not_for_committees(cast):
    with pytest.raises(ValidationError, match="由党支部召开"):
        actions.record_meeting(cast.tree.town, kind="branch_congress", held_on=TODAY, topic="x")


def test_late_entry_flagged(cast):
    m = actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=TODAY - dt.timedelta(days=31), topic="党课")
    assert m.late_entry
    m = actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=TODAY - dt.timedelta(days=30), topic="党课")
    assert not m.late_entry


BODY = {"org": "CA1B1", "kind": "theme_day", "held_on": "2026-11-05", "topic": "主题党日：清理河道"}


def test_contract_post_and_list(cast):
    body = {**BODY, "attendance": [{"member": cast.m1.pk, "status": "present"},
                                   {"member": cast.m2.pk, "status": "absent"}]}
    r = api(cast.secretary1).post("/api/v1/meetings/", body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["id"] and data["org"] == "CA1B1" and data["kind"] == "theme_day" and len(data["attendance"]) == 2
    r = api(cast.county_admin).get("/api/v1/meetings/", {"org": "CA"})
    assert r.status_code == 200 and [m["id"] for m in r.json()["results"]] == [data["id"]]
    assert api(cast.county_admin).get(f"/api/v1/meetings/{data['id']}/").status_code == 200


@pytest.mark.parametrize("who,status", [
    ("city_admin", 201), ("county_admin", 201), ("town_admin", 201), ("secretary1", 201),
    ("secretary2", 400), ("viewer", 403), ("member_user", 403), ("outsider", 403),
])
def test_post_permission_matrix(cast, who, status):
    r = api(getattr(cast, who)).post("/api/v1/meetings/", BODY, format="json")
    assert r.status_code == status, (who, r.content)
    assert Meeting.objects.exists() == (status == 201)


def test_anonymous_gets_401(cast):
    assert api().get("/api/v1/meetings/").status_code == 401
    assert api().post("/api/v1/meetings/", BODY, format="json").status_code == 401


@pytest.mark.parametrize("who,sees", [
    ("city_admin", True), ("county_admin", True), ("town_admin", True), ("secretary1", True),
    ("secretary2", False), ("viewer", True), ("member_user", True), ("outsider", False),
])
def test_read_matrix(cast, who, sees):
    m = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="主题党日")
    u = getattr(cast, who)
    assert api(u).get(f"/api/v1/meetings/{m.pk}/").status_code == (200 if sees else 404)
    ids = [x["id"] for x in api(u).get("/api/v1/meetings/").json()["results"]]
    assert (m.pk in ids) == sees


def test_list_org_outside_scope_is_404(cast):
    assert api(cast.secretary1).get("/api/v1/meetings/", {"org": "CB"}).status_code == 404


def test_validation_errors_in_chinese(cast):
    r = api(cast.secretary1).post("/api/v1/meetings/", {**BODY, "held_on": "2026-12-30"}, format="json")
    assert r.status_code == 400 and "不能晚于今天" in r.json()["held_on"][0]
    r = api(cast.secretary1).post("/api/v1/meetings/", {**BODY, "kind": "party"}, format="json")
    assert r.status_code == 400 and "无效" in r.json()["kind"][0]


def test_meetings_follow_their_branch_when_it_moves(cast):
    from dangjian.orgs.actions import move_org

    m = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="主题党日")
    move_org(cast.tree.b1, cast.tree.district)
    m.refresh_from_db()
    cast.tree.b1.refresh_from_db()
    assert m.org_path == cast.tree.b1.path


def test_attendance_given_as_members_and_bad_rows_refused(cast):
    m = actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=TODAY, topic="党课",
                               attendance=[(cast.m1, "present", ""), (cast.m2, "absent", "不应保存")])
    assert sorted(m.attendance.values_list("status", "reason")) == [("absent", ""), ("present", "")]
    with pytest.raises(ValidationError, match="重复"):
        actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=TODAY, topic="党课",
                               attendance=[(cast.m1, "present", ""), (cast.m1.pk, "leave", "")])
    with pytest.raises(ValidationError, match="出勤状态"):
        actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=TODAY, topic="党课",
                               attendance=[(cast.m1, "late", "")])
    with pytest.raises(ValidationError, match="未知的组织生活类型"):
        actions.record_meeting(cast.tree.b1, kind="picnic", held_on=TODAY, topic="x")
    assert Meeting.objects.count() == 1


def test_inactive_member_not_in_attendance(cast):
    from dangjian.members.actions import change_status

    change_status(cast.m2, "transferred_out", reason="转出", on=TODAY, by=cast.city_admin)
    with pytest.raises(ValidationError, match="在册党员"):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="主题党日",
                               attendance=[(cast.m2.pk, "present", "")])


def test_member_reads_only_own_branch_meetings(cast):
    own = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="本支部")
    other = actions.record_meeting(cast.tree.b2, kind="theme_day", held_on=TODAY, topic="别的支部")
    c = api(cast.member_user)
    assert [x["id"] for x in c.get("/api/v1/meetings/").json()["results"]] == [own.pk]
    assert c.get(f"/api/v1/meetings/{other.pk}/").status_code == 404
    assert c.get("/api/v1/meetings/", {"org": "CA1B2"}).status_code == 404
    assert Meeting.objects.restrict(cast.member_user, "change_member").count() == 0


@pytest.mark.parametrize("n", [2, 20])
def test_api_list_query_count_bounded(cast, n, django_assert_max_num_queries):
    for i in range(n):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY - dt.timedelta(days=i), topic=f"第{i}次",
                               attendance=[(cast.m1, "present", ""), (cast.m2, "leave", "出差")])
    c = api(cast.county_admin)
    with django_assert_max_num_queries(10):
        r = c.get("/api/v1/meetings/", {"org": "CA"})
    assert r.status_code == 200 and len(r.json()["results"]) == n
