"""The 介绍信 as PDF: the same letter and the same rule as the Word file (sending side, logged)."""

import pytest

from dangjian.core.models import Event
from dangjian.transfers import actions, letter

pytestmark = pytest.mark.skipif(not letter.pdf_available(), reason="WeasyPrint (or Pango) not installed")


def test_pdf_letter_for_the_sending_side_only(cast, client):
    t = actions.start(cast.m1, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    client.force_login(cast.secretary1)
    assert client.get(f"/transfers/{t.pk}/letter.pdf").status_code == 404  # not issued yet
    actions.approve(t, by=cast.town_admin)
    r = client.get(f"/transfers/{t.pk}/letter.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert Event.objects.filter(verb="transfer.letter", object_id=str(t.pk), detail__format="pdf").exists()
    assert "letter.pdf" in client.get(f"/transfers/{t.pk}/").content.decode()
    for who in ("secretary2", "viewer", "member_user", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.get(f"/transfers/{t.pk}/letter.pdf").status_code == 404, who


def test_pdf_carries_the_letter_text(cast):
    t = actions.approve(actions.start(cast.m1, to_org=cast.tree.b3, reason="工作调动", by=cast.secretary1),
                        by=cast.town_admin)
    from django.template.loader import render_to_string  # the PDF is rendered from this HTML

    html = render_to_string("transfers/letter_pdf.html", {"t": t, "m": t.member, "age": 40, "issuer": "东县城关镇党委"})
    assert t.letter_no in html and "张伟" in html and "西区花园社区党支部" in html and "回执" in html
    assert letter.build_pdf(t).startswith(b"%PDF")
