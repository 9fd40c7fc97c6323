"""The member list API builds its rows by hand (members.api.list_row) for speed: they must be exactly what the
documented MemberSerializer gives, for every kind of member."""

import datetime as dt
import json

from dangjian.members.api import MemberSerializer, list_row
from dangjian.members.models import Member
from tests.factories import make_member


def test_list_rows_equal_the_serializer(cast):
    today = dt.date(2026, 3, 1)
    gone = make_member(cast.tree.b2, "周杰", gender="M", status="deceased", status_reason="病故",
                       status_changed_on=dt.date(2025, 12, 1))
    Member.objects.filter(pk=cast.m4.pk).update(lost_contact=True, lost_contact_on=dt.date(2025, 1, 5),
                                                is_mobile=True, mobile_destination="广东省深圳市", phone="")
    members = list(Member.objects.select_related("org").filter(
        pk__in=[cast.m1.pk, cast.m2.pk, cast.m3.pk, cast.m4.pk, gone.pk]).order_by("id"))
    assert len(members) == 5
    for m in members:
        expected = MemberSerializer(m, context={"today": today}).data
        # as the renderer writes them: same JSON, same key order
        assert json.dumps(list_row(m, today), ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_the_api_list_serves_those_rows(cast, client):
    client.force_login(cast.county_admin)
    body = client.get(f"/api/v1/members/?org={cast.tree.county.code}").json()
    m1 = next(r for r in body["results"] if r["id"] == cast.m1.pk)
    assert m1["gender_display"] == "男" and m1["id_number"] != cast.m1.id_number and "*" in m1["id_number"]
