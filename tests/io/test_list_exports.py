"""/io/members/export/{mobile,lost}/: the 流动党员 and 失联党员 pages' current tab as a file — exactly the rows the
page lists for the user, each member's template columns (so the file imports again) then the list's own,
numbers masked outside the user's view_sensitive scope, every export logged."""

import csv
from urllib.parse import quote, urlencode

import pytest
from django.utils import timezone

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.io.export import HEADERS
from dangjian.members import actions, queries
from dangjian.rules.base import add_months
from tests.io.helpers import get_export, run

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def export(client, user, path):
    return get_export(client, user, "/io/members/export/" + path)


@pytest.fixture
def away(cast):
    """m1 (东村) away in the 西村 area since 7 months, organized there: the home and the receiving side list it."""
    return actions.register_mobile(cast.m1, destination="深圳市南山区", since=add_months(TODAY, -7),
                                   contact="13912345678", certificate_no="LD2026001", receiving_org=cast.tree.b2,
                                   by=cast.secretary1)


def test_the_home_branch_exports_its_mobile_members_in_full(cast, client, away):
    r, rows = export(client, cast.secretary1, "mobile/?tab=current&format=xlsx")
    assert r.status_code == 200 and quote(f"{cast.tree.b1.name}流动党员（在外流动）") in r["Content-Disposition"]
    assert rows[0][:len(HEADERS)] == HEADERS
    assert rows[0][len(HEADERS):] == ["所在党支部", "外出地点", "外出日期", "地点相对固定", "外出期间联系方式",
                                      "流动党员活动证编号", "流入地党组织", "返回（结束）日期", "结束原因"]
    (row,) = rows[1:]
    assert row[0] == cast.m1.name and row[3] == cast.m1.id_number and row[11] == "CA1B1"
    extra = dict(zip(rows[0][len(HEADERS):], row[len(HEADERS):]))
    assert extra["所在党支部"] == cast.tree.b1.name and extra["外出地点"] == "深圳市南山区"
    assert extra["外出日期"] == away.since and extra["外出期间联系方式"] == "13912345678"
    assert extra["流入地党组织"] == cast.tree.b2.name and extra["地点相对固定"] == "是"
    ev = Event.objects.get(verb="member.export")
    assert ev.actor == cast.secretary1 and ev.detail["list"] == "mobile:current"
    assert ev.detail["rows"] == 1 and ev.detail["full_numbers"] == 1 and ev.detail["masked"] == 0


def test_the_receiving_side_gets_the_same_rows_masked(cast, client, away):
    r, rows = export(client, cast.secretary2, "mobile/?tab=current&format=csv")
    assert [row[0] for row in rows[1:]] == [cast.m1.name]  # listed for 西村 as 流入本组织
    assert rows[1][3] == idcard.mask(cast.m1.id_number) and "****" in rows[1][10]
    assert rows[1][len(HEADERS) + 4] == "139****5678"
    assert Event.objects.get(verb="member.export").detail["masked"] == 1


def test_each_tab_exports_what_it_lists(cast, client, away):
    _, due = export(client, cast.secretary1, "mobile/?tab=transfer&format=csv")  # away 7 months, fixed place
    assert [row[0] for row in due[1:]] == [cast.m1.name]
    _, ended = export(client, cast.secretary1, "mobile/?tab=ended&format=csv")
    assert ended[1:] == []
    actions.end_mobile(away, on=TODAY, reason="返回原地", by=cast.secretary1)
    _, ended = export(client, cast.secretary1, "mobile/?tab=ended&format=csv")
    assert [row[len(HEADERS) + 7:] for row in ended[1:]] == [[TODAY.isoformat(), "返回原地"]]


def test_the_lost_contact_tabs_export_and_import_again(cast, client, tmp_path):
    listed = {m.name for m in queries.lost_contact_candidates(cast.secretary1, TODAY)}
    _, rows = export(client, cast.secretary1, "lost/?tab=candidates&format=csv")
    assert {row[0] for row in rows[1:]} == listed
    actions.record_follow_up(cast.m1, contacted_on=TODAY, method="电话", outcome="unreached", by=cast.secretary1)
    _, rows = export(client, cast.secretary1, "lost/?format=csv&tab=flagged")
    assert rows[0][len(HEADERS):] == ["所在党支部", "失去联系日期", "最近联系日期", "最近联系结果", "停止党籍日期"]
    assert [row[0] for row in rows[1:]] == [cast.m1.name]
    assert rows[1][len(HEADERS):] == [cast.tree.b1.name, TODAY.isoformat(), TODAY.isoformat(), "仍未联系上", ""]
    path = tmp_path / "lost.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 1})


def test_refusals(cast, client, away):
    assert export(client, cast.secretary1, "mobile/?org=CB01&format=csv")[0].status_code == 404  # out of scope
    assert export(client, cast.member_user, "lost/?format=csv")[0].status_code == 404  # a plain member
    assert export(client, cast.outsider, "mobile/?format=csv")[0].status_code == 404
    assert export(client, cast.secretary1, "mobile/?format=pdf")[0].status_code == 400
    assert export(client, cast.secretary1, "nope/?format=csv")[0].status_code == 404
    assert not Event.objects.filter(verb="member.export").exists()


def test_the_pages_offer_the_export_of_their_tab(cast, client, away):
    client.force_login(cast.secretary1)
    page = client.get("/members/mobile/?tab=transfer").content.decode()
    assert "/io/members/export/mobile/?tab=transfer&amp;format=xlsx" in page
    page = client.get("/members/lost/?tab=flagged&org=CA1B1").content.decode()
    assert "/io/members/export/lost/?tab=flagged&amp;org=CA1B1&amp;format=csv" in page


def _api_get(user, url, **params):
    from rest_framework.test import APIClient

    return get_export(APIClient(), user, f"{url}?{urlencode(params)}")


def test_the_api_exports_the_same_lists(cast, away):
    """GET mobile-members/export/ and lost-contact/export/ take the list's ?status= and give the page's file."""
    r, rows = _api_get(cast.secretary2, "/api/v1/mobile-members/export/", status="transfer_due", format="csv")
    assert r.status_code == 200 and [row[0] for row in rows[1:]] == [cast.m1.name]
    assert rows[1][3] == idcard.mask(cast.m1.id_number)  # the receiving side: masked
    ev = Event.objects.get(verb="member.export")
    assert ev.detail["source"] == "api" and ev.detail["list"] == "mobile:transfer" and ev.detail["masked"] == 1
    actions.record_follow_up(cast.m1, contacted_on=TODAY, method="电话", outcome="unreached", by=cast.secretary1)
    r, rows = _api_get(cast.secretary1, "/api/v1/lost-contact/export/", status="flagged", format="csv")
    assert [row[0] for row in rows[1:]] == [cast.m1.name] and rows[1][3] == cast.m1.id_number
    assert _api_get(cast.secretary1, "/api/v1/lost-contact/export/", status="nope")[0].status_code == 400
    assert _api_get(cast.secretary1, "/api/v1/mobile-members/export/", format="pdf")[0].status_code == 400
    assert _api_get(cast.secretary1, "/api/v1/mobile-members/export/", org="CB01")[0].status_code == 404
    assert _api_get(cast.member_user, "/api/v1/lost-contact/export/")[0].status_code == 404
    r = _api_get(cast.secretary1, "/api/v1/mobile-members/export/")[0]  # xlsx by default
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
