"""Evidence of a meeting (纪实材料): photos and PDF scans within the local limits, served only in scope."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import Event
from dangjian.orglife import actions
from dangjian.orglife.models import MeetingAttachment

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PDF = b"%PDF-1.4\n" + b"x" * 100
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def meeting(cast):
    return actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 5, 5), topic="清理河道")


def upload(name="合影.jpg", data=JPEG):
    return SimpleUploadedFile(name, data)


def test_photo_and_pdf_attached_and_audited(meeting, cast, tmp_path):
    a = actions.add_attachment(meeting, upload(), by=cast.secretary1)
    b = actions.add_attachment(meeting, upload("签到表.PDF", PDF), category="sign_in", by=cast.secretary1)
    assert (a.content_type, a.size, a.category) == ("image/jpeg", len(JPEG), "photo")
    assert (b.content_type, b.name, b.category) == ("application/pdf", "签到表.PDF", "sign_in")
    # The stored name does not carry the uploaded file name.
    assert "签到表" not in b.file.name and b.file.name.endswith(".pdf")
    assert Event.objects.filter(verb="meeting.attach").count() == 2


@pytest.mark.parametrize("name,data,message", [
    ("会议.docx", b"PK\x03\x04", "只能是照片"),
    ("假照片.jpg", b"<html><script>", "文件内容与扩展名.jpg不符"),
    ("空.png", b"", "空文件"),
])
def test_wrong_files_refused(meeting, name, data, message):
    with pytest.raises(ValidationError, match=message):
        actions.add_attachment(meeting, upload(name, data))
    assert not MeetingAttachment.objects.exists()


def test_size_and_count_limits_are_local_rules(meeting, settings):
    settings.DANGJIAN_RULES = {"records.attachment_max_mb": 1, "records.attachments_per_meeting": 2}
    with pytest.raises(ValidationError, match="不能超过1MB"):
        actions.add_attachment(meeting, upload(data=JPEG + b"\x00" * 1024 * 1024))
    actions.add_attachment(meeting, upload())
    actions.add_attachment(meeting, upload())
    with pytest.raises(ValidationError, match="最多上传2个附件"):
        actions.add_attachment(meeting, upload())


@pytest.mark.parametrize("who", ROLES)
def test_upload_download_delete_by_scope(client, cast, meeting, who):
    att = actions.add_attachment(meeting, upload())
    client.force_login(getattr(cast, who))
    r = client.get(reverse("orglife:attachment", args=[meeting.pk, att.pk]))
    assert r.status_code == (200 if who in VIEW_B1 else 404)
    if r.status_code == 200:
        assert b"".join(r.streaming_content) == JPEG and r["Content-Security-Policy"] == "sandbox"
    r = client.post(reverse("orglife:attach", args=[meeting.pk]), {"file": upload("b.png", b"\x89PNG\r\n\x1a\n..")})
    assert r.status_code == (302 if who in WRITE_B1 else 404)
    assert MeetingAttachment.objects.count() == (2 if who in WRITE_B1 else 1)
    r = client.post(reverse("orglife:detach", args=[meeting.pk, att.pk]))
    assert r.status_code == (302 if who in WRITE_B1 else 404)
    assert MeetingAttachment.objects.filter(pk=att.pk).exists() == (who not in WRITE_B1)


def test_attachment_of_another_meeting_is_404(client, cast, meeting):
    other = actions.record_meeting(cast.tree.b2, kind="theme_day", held_on=dt.date(2025, 5, 6), topic="x")
    att = actions.add_attachment(other, upload())
    client.force_login(cast.secretary1)
    assert client.get(reverse("orglife:attachment", args=[meeting.pk, att.pk])).status_code == 404


def test_meeting_page_lists_attachments_and_form_errors_show(client, cast, meeting):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:attach", args=[meeting.pk]), {"file": upload("说明.txt", b"hello")}, follow=True)
    assert "只能是照片" in r.content.decode()
    client.post(reverse("orglife:attach", args=[meeting.pk]), {"file": upload(), "category": "photo"})
    page = client.get(reverse("orglife:meeting", args=[meeting.pk])).content.decode()
    assert "合影.jpg" in page and "会议照片" in page and 'enctype="multipart/form-data"' in page
    client.force_login(cast.viewer)
    page = client.get(reverse("orglife:meeting", args=[meeting.pk])).content.decode()
    assert "合影.jpg" in page and 'enctype="multipart/form-data"' not in page


def test_record_form_leads_to_the_meeting_page(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:record", args=["CA1B1"]), {"kind": "theme_day", "held_on": "2025-06-01",
                                                                "topic": "参观红色教育基地"})
    assert r.status_code == 302 and "/orglife/meeting/" in r["Location"]
