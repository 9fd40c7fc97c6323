"""Attachments (staff upload, staff and public download) and deleting drafts, by scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from dangjian.disclosure import actions
from dangjian.disclosure.models import Attachment, DisclosureItem

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_secretary_uploads_downloads_and_removes_an_attachment(items, cast):
    c = login(cast.secretary1)
    r = c.post(f"/disclosure/{items.draft.pk}/attachments/", {"file": SimpleUploadedFile("收据.png", PNG)})
    assert r.status_code == 302
    att = Attachment.objects.get(disclosure=items.draft)
    r = c.get(f"/disclosure/{items.draft.pk}/attachments/{att.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and "no-store" in r["Cache-Control"]
    assert b"".join(r.streaming_content) == PNG
    assert c.post(f"/disclosure/{items.draft.pk}/attachments/{att.pk}/delete/").status_code == 302
    assert not Attachment.objects.filter(pk=att.pk).exists()


def test_bad_upload_is_refused_with_a_message(items, cast):
    c = login(cast.secretary1)
    r = c.post(f"/disclosure/{items.draft.pk}/attachments/", {"file": SimpleUploadedFile("a.exe", b"MZ")}, follow=True)
    assert "附件只能是图片" in r.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("role", ["secretary2", "viewer", "member_user", "outsider"])
def test_others_cannot_touch_attachments_or_delete(items, cast, role):
    att = actions.add_attachment(items.draft, SimpleUploadedFile("a.png", PNG))
    c = login(getattr(cast, role))
    assert c.post(f"/disclosure/{items.draft.pk}/attachments/",
                  {"file": SimpleUploadedFile("b.png", PNG)}).status_code == 404
    assert c.post(f"/disclosure/{items.draft.pk}/attachments/{att.pk}/delete/").status_code == 404
    assert c.post(f"/disclosure/{items.draft.pk}/delete/").status_code == 404
    expected = 200 if role == "viewer" else 404
    assert c.get(f"/disclosure/{items.draft.pk}/attachments/{att.pk}/").status_code == expected
    assert DisclosureItem.objects.filter(pk=items.draft.pk).exists()


def test_public_reads_attachments_of_published_items_only(items, cast):
    att = actions.add_attachment(items.draft, SimpleUploadedFile("公示.pdf", b"%PDF-1.4 x"))
    url = f"/gk/CA1B1/{items.draft.pk}/files/{att.pk}/"
    assert Client().get(url).status_code == 404
    actions.publish(items.draft)
    r = Client().get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Security-Policy"] == "sandbox" and "public" in r["Cache-Control"]
    assert f"/gk/CA1B1/{items.draft.pk}/files/{att.pk}/" in Client().get(f"/gk/CA1B1/{items.draft.pk}/").content.decode()
    actions.withdraw(items.draft, reason="附件有误")
    assert Client().get(url).status_code == 404


def test_correction_carries_the_attachments(items):
    actions.add_attachment(items.draft, SimpleUploadedFile("a.png", PNG))
    actions.publish(items.draft)
    new = actions.correct(items.draft, {"title": "尚未公开的村务草稿（更正）"}, note="改标题")
    assert [a.name for a in new.attachments.all()] == ["a.png"]


def test_secretary_deletes_a_draft_but_not_a_published_item(items, cast):
    c = login(cast.secretary1)
    assert c.post(f"/disclosure/{items.draft.pk}/delete/").status_code == 302
    assert not DisclosureItem.objects.filter(pk=items.draft.pk).exists()
    r = c.post(f"/disclosure/{items.party.pk}/delete/", follow=True)
    assert "只有草稿或被退回的内容可以删除" in r.content.decode()
    assert DisclosureItem.objects.filter(pk=items.party.pk).exists()


@pytest.mark.parametrize("role", ["secretary2", "viewer", "member_user", "outsider"])
def test_api_writes_out_of_scope_are_404(items, cast, role):
    c = APIClient()
    c.force_authenticate(getattr(cast, role))
    assert c.post(f"/api/v1/disclosures/{items.party.pk}/correct/", {"correction_note": "x"},
                  format="json").status_code == 404
    assert c.patch(f"/api/v1/disclosures/{items.draft.pk}/", {"title": "x"}, format="json").status_code == 404
