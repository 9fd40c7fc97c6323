"""软弱涣散整顿: 认定 by the committee above, progress and 申请摘牌 by the branch, 验收 by the committee above (not by
whoever applied); pages and API for every role of the cast; refusals in Chinese; every step audited."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.assessments import actions
from dangjian.assessments.models import Rectification
from dangjian.core.models import Event
from tests.factories import api_client as api

D = dt.date
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
ABOVE_B1 = {"city_admin", "county_admin", "town_admin"}  # 认定 and 验收 of 东村 (CA1B1)
MANAGE_B1 = ABOVE_B1 | {"secretary1"}  # progress and 申请摘牌
VIEW_B1 = MANAGE_B1 | {"viewer"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def identify(cast, by=None, **kw):
    data = {"year": 2026, "identified_on": D(2026, 3, 1), "situations": ["system"], "leader": "县委组织部 王部长",
            "measures": "配齐班子；每月主题党日", **kw}
    return actions.identify(cast.tree.b1, by=by or cast.town_admin, **data)


def test_the_whole_course_is_kept_and_audited(cast):
    r = identify(cast, findings=["组织生活未按规定开展：主题党日（1、2月）未达到规定次数"])
    actions.add_progress(r, on=D(2026, 4, 1), note="补开3月主题党日", by=cast.secretary1)
    r = actions.apply_to_lift(r, on=D(2026, 10, 1), note="整顿任务全部完成", by=cast.secretary1)
    assert r.status == "applied" and r.applied_by == cast.secretary1
    r = actions.decide(r, accept=False, on=D(2026, 10, 10), note="群众满意度测评未开展", by=cast.town_admin)
    assert r.status == "rectifying" and r.applied_on is None
    assert [p.note for p in r.progress.all()] == ["验收未通过：群众满意度测评未开展", "申请摘牌：整顿任务全部完成",
                                                  "补开3月主题党日"]
    r = actions.apply_to_lift(r, on=D(2026, 11, 1), by=cast.secretary1)
    r = actions.decide(r, accept=True, on=D(2026, 11, 15), note="验收合格", by=cast.county_admin)
    assert (r.status, r.lifted_on, r.lifted_by, r.lift_note) == ("lifted", D(2026, 11, 15), cast.county_admin, "验收合格")
    verbs = list(Event.objects.filter(verb__startswith="rectification.").order_by("id").values_list("verb", flat=True))
    assert verbs == ["rectification.identify", "rectification.progress", "rectification.apply",
                     "rectification.return", "rectification.apply", "rectification.lift"]
    # lifted: a new identification is possible again, and no more progress
    with pytest.raises(ValidationError, match="已摘牌"):
        actions.add_progress(r, on=D(2026, 11, 16), note="x", by=cast.secretary1)
    assert identify(cast, year=2026).status == "rectifying"


def test_refusals(cast):
    with pytest.raises(PermissionDenied):
        identify(cast, by=cast.secretary1)  # a branch does not identify itself
    with pytest.raises(ValidationError) as e:
        identify(cast, situations=[], leader=" ", measures="", identified_on="2026-13-01", year=2012)
    errors = e.value.message_dict
    assert errors["situations"] == ["请至少勾选一项认定情形，或保留一条排查发现，或写明认定说明"]
    assert errors["leader"] == ["请填写联系领导"] and errors["measures"] == ["请填写整顿措施"]
    assert "无效" in errors["identified_on"][0] and "认定年度" in errors["year"][0]
    r = identify(cast)
    with pytest.raises(ValidationError, match="已在整顿中"):
        identify(cast)
    with pytest.raises(ValidationError, match="请先填报整顿进展"):
        actions.apply_to_lift(r, on=D(2026, 5, 1), by=cast.secretary1)
    with pytest.raises(ValidationError, match="不能早于2026年03月01日"):
        actions.add_progress(r, on=D(2026, 2, 1), note="x", by=cast.secretary1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.add_progress(r, on=D(2026, 12, 1), note="x", by=cast.secretary1)
    with pytest.raises(ValidationError, match="没有待验收的摘牌申请"):
        actions.decide(r, accept=True, on=D(2026, 5, 1), note="x", by=cast.town_admin)
    actions.add_progress(r, on=D(2026, 4, 1), note="x", by=cast.town_admin)
    actions.apply_to_lift(r, on=D(2026, 5, 1), by=cast.town_admin)
    with pytest.raises(ValidationError, match="摘牌申请由您提出"):
        actions.decide(r, accept=True, on=D(2026, 5, 2), note="合格", by=cast.town_admin)
    with pytest.raises(PermissionDenied):
        actions.decide(r, accept=True, on=D(2026, 5, 2), note="合格", by=cast.secretary1)
    with pytest.raises(ValidationError, match="请填写验收意见"):
        actions.decide(r, accept=True, on=D(2026, 5, 2), note="", by=cast.county_admin)


@pytest.mark.parametrize("who", ROLES)
def test_pages_by_role(client, cast, who):
    r = identify(cast)
    actions.add_progress(r, on=D(2026, 4, 1), note="补开3月主题党日", by=cast.secretary1)
    client.force_login(getattr(cast, who))
    case = client.get(reverse("assessments:case", args=[r.pk]))
    board = client.get(reverse("assessments:weak", args=["CA1"]))
    form = client.get(reverse("assessments:identify", args=["CA1B2"]))
    if who in VIEW_B1 - {"secretary1"}:
        assert case.status_code == 200 and "补开3月主题党日" in case.text
        assert board.status_code == 200 and "城关镇东村党支部" in board.text
    elif who == "secretary1":
        assert case.status_code == 200 and board.status_code == 404  # the town's board is above the branch
    else:
        assert case.status_code == board.status_code == 404
    assert form.status_code == (200 if who in ABOVE_B1 else 404)
    assert ("填报进展" in case.text) == (who in MANAGE_B1)
    post = client.post(reverse("assessments:progress", args=[r.pk]), {"on": "2026-05-01", "note": "五月销号"})
    assert post.status_code == (302 if who in MANAGE_B1 else 404)


def test_identify_through_the_page_keeps_the_findings_ticked(client, cast):
    client.force_login(cast.town_admin)
    url = reverse("assessments:identify", args=["CA1B1"]) + "?year=2026"
    page = client.get(url).text
    assert "组织生活未按规定开展" in page and "认定并进入整顿" in page
    bad = client.post(url, {"year": "2026", "identified_on": "2026-03-01", "leader": "王部长", "measures": ""})
    assert bad.status_code == 400 and "请填写整顿措施" in bad.text and 'value="王部长"' in bad.text
    ok = client.post(url, {"year": "2026", "identified_on": "2026-03-01", "leader": "王部长", "measures": "配齐班子",
                           "situations": ["team"], "findings": ["组织生活未按规定开展：测试"]})
    r = Rectification.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("assessments:case", args=[r.pk])
    assert r.situations == ["team"] and r.findings == ["组织生活未按规定开展：测试"] and r.identified_by == cast.town_admin
    board = client.get(reverse("assessments:weak", args=["CA1"])).text
    assert "整顿中（2026年认定）" in board  # the screening row links to the open case instead of 认定
    assert client.get(reverse("assessments:identify", args=["CA1B1"])).status_code == 200  # 400 on POST only
    again = client.post(url, {"year": "2026", "identified_on": "2026-03-01", "leader": "王", "measures": "x",
                              "situations": ["team"]})
    assert again.status_code == 400 and "已在整顿中" in again.text


def test_page_apply_and_decide(client, cast):
    r = identify(cast)
    client.force_login(cast.secretary1)
    bad = client.post(reverse("assessments:apply", args=[r.pk]), {"on": "2026-05-01"})
    assert bad.status_code == 400 and "请先填报整顿进展" in bad.text
    client.post(reverse("assessments:progress", args=[r.pk]), {"on": "2026-04-01", "note": "销号"})
    assert client.post(reverse("assessments:apply", args=[r.pk]), {"on": "2026-05-01"}).status_code == 302
    assert client.post(reverse("assessments:decide", args=[r.pk]), {"decision": "accept", "on": "2026-05-02",
                                                                    "note": "合格"}).status_code == 404
    client.force_login(cast.county_admin)
    assert "验收通过，摘牌" in client.get(reverse("assessments:case", args=[r.pk])).text
    assert client.post(reverse("assessments:decide", args=[r.pk]), {"decision": "accept", "on": "2026-05-02",
                                                                    "note": "合格"}).status_code == 302
    r.refresh_from_db()
    assert r.status == "lifted"
    board = client.get(reverse("assessments:weak", args=["CA"]) + "?status=lifted").text
    assert "已摘牌" in board and "城关镇东村党支部" in board


def test_index_goes_to_ones_top_organization(client, cast):
    client.force_login(cast.town_admin)
    assert client.get("/assessments/").url == "/assessments/weak/CA1/"
    client.force_login(cast.member_user)
    assert client.get("/assessments/").status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_api_by_role(cast, who):
    c = api(getattr(cast, who))
    created = c.post("/api/v1/rectifications/", {"org": "CA1B1", "year": 2026, "identified_on": "2026-03-01",
                                                 "situations": ["system"], "leader": "王部长", "measures": "配齐班子"},
                     format="json")
    if who in ABOVE_B1:
        assert created.status_code == 201
        assert created.json()["status"] == "rectifying" and created.json()["org"] == "CA1B1"
    elif who in {"secretary1", "viewer"}:
        assert created.status_code == 403  # in view scope, not the committee above
    else:
        assert created.status_code == 400 and "org" in created.json()
    r = Rectification.objects.first() or identify(cast)
    listed = c.get("/api/v1/rectifications/", {"org": "CA1B1"})
    detail = c.get(f"/api/v1/rectifications/{r.pk}/")
    progress = c.post(f"/api/v1/rectifications/{r.pk}/progress/", {"on": "2026-04-01", "note": "销号"}, format="json")
    screening = c.get("/api/v1/weak-screening/", {"org": "CA1", "year": 2026})
    if who in VIEW_B1:
        assert listed.status_code == 200 and [x["id"] for x in listed.json()["results"]] == [r.pk]
        assert detail.status_code == 200
    else:
        assert listed.status_code == 404 and detail.status_code == 404
    if who in MANAGE_B1:
        assert progress.status_code == 200 and progress.json()["progress"][0]["note"] == "销号"
    elif who == "viewer":
        assert progress.status_code == 403
    else:
        assert progress.status_code == 404
    if who in VIEW_B1 - {"secretary1"}:
        assert screening.status_code == 200
        rows = {x["org"]: x for x in screening.json()["results"]}
        assert rows["CA1B1"]["case"] == r.pk and rows["CA1B1"]["findings"][0]["code"] == "orglife"
    else:
        assert screening.status_code == 404


def test_api_apply_decide_and_errors(cast):
    r = identify(cast)
    sec, county = api(cast.secretary1), api(cast.county_admin)
    assert sec.post(f"/api/v1/rectifications/{r.pk}/apply/", {"on": "2026-05-01"}, format="json").status_code == 400
    sec.post(f"/api/v1/rectifications/{r.pk}/progress/", {"on": "2026-04-01", "note": "销号"}, format="json")
    assert sec.post(f"/api/v1/rectifications/{r.pk}/apply/", {"on": "2026-05-01"}, format="json").json()[
        "status"] == "applied"
    assert sec.post(f"/api/v1/rectifications/{r.pk}/decide/", {"decision": "accept", "on": "2026-05-02",
                                                               "note": "合格"}, format="json").status_code == 403
    bad = county.post(f"/api/v1/rectifications/{r.pk}/decide/", {"decision": "maybe", "on": "2026-05-02"},
                      format="json")
    assert bad.status_code == 400 and "decision" in bad.json()
    done = county.post(f"/api/v1/rectifications/{r.pk}/decide/", {"decision": "accept", "on": "2026-05-02",
                                                                  "note": "合格"}, format="json")
    assert done.status_code == 200 and done.json()["status_label"] == "已摘牌"
    assert county.get("/api/v1/rectifications/", {"status": "lifted"}).json()["count"] == 1
    assert county.get("/api/v1/rectifications/").json()["count"] == 0  # default: open ones
    assert county.get("/api/v1/weak-screening/").status_code == 400
    assert county.get("/api/v1/weak-screening/", {"org": "CA", "year": "1990"}).status_code == 400


@pytest.mark.parametrize("who", ["secretary2", "viewer", "member_user", "outsider"])
def test_apply_and_decide_are_refused_outside_the_managers(client, cast, who):
    r = identify(cast)
    actions.add_progress(r, on=D(2026, 4, 1), note="销号", by=cast.secretary1)
    user = getattr(cast, who)
    client.force_login(user)
    assert client.post(reverse("assessments:apply", args=[r.pk]), {"on": "2026-05-01"}).status_code == 404
    api_status = api(user).post(f"/api/v1/rectifications/{r.pk}/apply/", {"on": "2026-05-01"}, format="json")
    assert api_status.status_code == (403 if who == "viewer" else 404)
    r.refresh_from_db()
    assert r.status == "rectifying"
