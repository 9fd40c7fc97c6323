"""Transfers out of the platform (介绍信 and 回执) and in from another system (转入登记)."""

import datetime as dt
import io

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.transfers import actions
from dangjian.transfers.models import Kind, Transfer

from .conftest import URL, api


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_out_of_platform_letter_and_receipt(cast, post, client):
    r = post("secretary1", "", {"member": cast.m1.pk, "kind": "out", "to_name": "某省某市某区某街道党工委",
                                "reason": "到外省工作"})
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["to_org"] is None and r.json()["to_org_name"] == "某省某市某区某街道党工委"
    letter_no = post("town_admin", f"{tid}/approve/").json()["letter_no"]
    # Nobody accepts in the platform: accept is refused for the sending side (it is not theirs).
    assert post("town_admin", f"{tid}/accept/").status_code == 404

    client.force_login(cast.secretary1)
    r = client.get(f"/transfers/{tid}/letter.docx")
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
    text = _text(r.content)
    assert letter_no in text and "张伟" in text and "某省某市某区某街道党工委" in text and "回    执" in text
    assert cast.m1.id_number in text
    assert Event.objects.filter(verb="transfer.letter", object_id=str(tid), actor=cast.secretary1).exists()

    before = Org.objects.get(code="CA1B1").direct_full
    r = post("secretary1", f"{tid}/receipt/", {"receipt_on": "2099-01-01"})
    assert r.status_code == 400 and "晚于今天" in r.json()["receipt_on"][0]
    r = post("secretary1", f"{tid}/receipt/", {})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["receipt_on"]
    m1 = Member.objects.get(pk=cast.m1.pk)
    assert m1.status == "transferred_out" and letter_no in m1.status_reason and m1.org.code == "CA1B1"
    assert Org.objects.get(code="CA1B1").direct_full == before - 1
    # Left the registry's active list: a new transfer cannot start.
    r = post("secretary1", "", {"member": m1.pk, "to_org": "CA1B2", "reason": "x"})
    assert r.status_code == 400 and "转出" in r.json()["member"][0]


def test_out_of_platform_needs_destination_name(cast, post):
    r = post("secretary1", "", {"member": cast.m1.pk, "kind": "out", "reason": "外省"})
    assert r.status_code == 400 and "转入单位" in r.json()["to_name"][0]


def test_letter_only_for_the_sending_side(cast, client):
    t = actions.start(cast.m1, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    client.force_login(cast.secretary1)
    assert client.get(f"/transfers/{t.pk}/letter.docx").status_code == 404  # not issued yet
    actions.approve(t, by=cast.town_admin)
    assert client.get(f"/transfers/{t.pk}/letter.docx").status_code == 200
    for who in ("secretary2", "viewer", "member_user", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.get(f"/transfers/{t.pk}/letter.docx").status_code == 404, who


def _incoming_data(seq=77):
    return {"name": "周明", "id_number": idcard.make("110105", dt.date(1992, 4, 3), seq), "education": "bachelor",
            "category": "full", "joined_on": dt.date(2015, 6, 1), "confirmed_on": dt.date(2016, 6, 1),
            "ethnicity": "汉族", "job": "教师"}


def test_register_incoming_creates_member_and_completed_transfer(cast):
    before = Org.objects.get(code="CA1").subtree_full
    t = actions.register_incoming(_incoming_data(), to_org=cast.tree.b2, from_name="外省某县某镇党委",
                                  letter_no="外字〔2025〕第88号", letter_issued_on=dt.date(2025, 5, 1),
                                  by=cast.secretary2)
    assert t.kind == Kind.IN and t.status == "completed" and t.from_org is None and t.org_path == ""
    m = t.member
    assert m.org == cast.tree.b2 and m.gender == "M" and m.birth_date == dt.date(1992, 4, 3)
    assert "外字〔2025〕第88号" in m.history.first().history_change_reason
    assert Org.objects.get(code="CA1").subtree_full == before + 1
    # Visible to the receiving side's scope through the API, not to the other branch.
    assert api(cast.town_admin).get(URL, {"org": "CA1B2"}).json()["count"] == 1
    assert api(cast.secretary2).get(f"{URL}{t.pk}/").json()["from_org_name"] == "外省某县某镇党委"
    assert api(cast.secretary1).get(f"{URL}{t.pk}/").status_code == 404


def test_register_incoming_refusals(cast):
    with pytest.raises(ValidationError) as e:
        actions.register_incoming(_incoming_data(), to_org=cast.tree.town, from_name="外省", letter_no="1",
                                  by=cast.town_admin)
    assert "党支部" in str(e.value)
    with pytest.raises(ValidationError) as e:
        actions.register_incoming(_incoming_data(), to_org=cast.tree.b2, from_name="外省", letter_no=" ",
                                  by=cast.secretary2)
    assert "介绍信编号" in str(e.value)
    # An ID that is already an active member of the platform is refused by the registry's own check.
    data = _incoming_data() | {"id_number": cast.m4.id_number, "name": "赵敏"}
    with pytest.raises(ValidationError) as e:
        actions.register_incoming(data, to_org=cast.tree.b2, from_name="外省", letter_no="X1", by=cast.secretary2)
    assert "已登记" in e.value.message_dict["id_number"][0]
    assert not Transfer.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.register_incoming(_incoming_data(), to_org=cast.tree.b2, from_name="外省", letter_no="X1",
                                  by=cast.secretary1)
