"""/io/members/export/: exactly the member list, masked unless the user may see full numbers, logged."""

import pytest

from dangjian.core import idcard
from dangjian.core.models import Event
from tests.io.helpers import get_export

pytestmark = pytest.mark.django_db


def export(client, user, query):
    return get_export(client, user, "/io/members/export/" + query)


def test_viewer_gets_masked_numbers_and_the_export_is_logged(cast, client):
    r, rows = export(client, cast.viewer, "?org=CA&format=csv")
    assert r["Content-Disposition"].startswith("attachment")
    ids = {row[3] for row in rows[1:]}
    assert ids == {idcard.mask(m.id_number) for m in (cast.m1, cast.m2, cast.m3)}
    assert all("****" in row[10] for row in rows[1:])
    ev = Event.objects.get(verb="member.export")
    assert ev.actor == cast.viewer
    assert ev.detail["rows"] == 3 and ev.detail["filter"] == {"org": "CA"} and ev.detail["format"] == "csv"
    assert ev.detail["masked"] == 3 and ev.detail["full_numbers"] == 0


def test_secretary_sees_full_numbers_of_own_branch_only(cast, client):
    _, rows = export(client, cast.secretary1, "?format=xlsx")
    assert sorted(row[3] for row in rows[1:]) == sorted([cast.m1.id_number, cast.m2.id_number])


def test_export_follows_the_list_filters(cast, client):
    _, rows = export(client, cast.city_admin, "?org=CA1B1&category=probationary&format=csv")
    assert [row[0] for row in rows[1:]] == [cast.m2.name]
    assert rows[1][3] == cast.m2.id_number  # city admin may see full numbers


def test_out_of_scope_org_is_404_and_bad_filter_400(cast, client):
    r, _ = export(client, cast.secretary1, "?org=CB01&format=csv")
    assert r.status_code == 404
    r, _ = export(client, cast.secretary1, "?category=nope&format=csv")
    assert r.status_code == 400
    r, _ = export(client, cast.secretary1, "?format=pdf")
    assert r.status_code == 400
    assert not Event.objects.filter(verb="member.export").exists()


def test_outsider_exports_nothing(cast, client):
    _, rows = export(client, cast.outsider, "?format=csv")
    assert rows == [rows[0]]
