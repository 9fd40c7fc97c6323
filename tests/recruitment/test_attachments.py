"""Scans attached to a step: checked before anything is written, served only to those who may see the file."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangjian.core import idcard
from dangjian.recruitment import actions
from dangjian.recruitment.models import StepAttachment, StepRecord

from .journey import PERSON

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def file_b1(cast):
    return actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=dt.date(2022, 3, 1))


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_talk_record_with_its_scan(cast, file_b1):
    rec, _ = actions.record_step(file_b1, 2, {"on": dt.date(2022, 3, 20),
                                              "files": [SimpleUploadedFile("谈话记录.pdf", PDF)]}, by=cast.secretary1)
    att = rec.attachments.get()
    assert (att.name, att.content_type, att.size) == ("谈话记录.pdf", "application/pdf", len(PDF))
    assert "谈话记录" not in att.file.name  # stored under a random name


@pytest.mark.parametrize(("name", "data", "message"), [
    ("记录.exe", PDF, "只能是照片"), ("记录.pdf", b"MZ\x90\x00", "内容与扩展名"), ("空.jpg", b"", "空文件"),
])
def test_a_bad_file_refuses_the_whole_step(cast, file_b1, name, data, message):
    with pytest.raises(ValidationError) as e:
        actions.record_step(file_b1, 2, {"on": dt.date(2022, 3, 20), "files": [SimpleUploadedFile(name, data)]},
                            by=cast.secretary1)
    assert message in e.value.message_dict["files"][0]
    assert not StepRecord.objects.filter(number=2).exists() and not StepAttachment.objects.exists()


def test_a_refused_step_stores_no_file(cast, file_b1, tmp_path):
    with pytest.raises(ValidationError):
        actions.record_step(file_b1, 2, {"on": dt.date(2022, 5, 1), "files": [SimpleUploadedFile("a.pdf", PDF)]},
                            by=cast.secretary1)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_size_limit_is_the_local_rule(cast, file_b1, settings):
    settings.DANGJIAN_RULES = {"records.attachment_max_mb": 1}
    big = SimpleUploadedFile("大.jpg", JPEG + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="超过1MB"):
        actions.record_step(file_b1, 2, {"on": dt.date(2022, 3, 20), "files": [big]}, by=cast.secretary1)


def test_upload_from_the_page_and_download_by_scope(cast, file_b1):
    r = client(cast.secretary1).post(f"/recruitment/{file_b1.pk}/", {
        "step": "2", "on": "2022-03-20", "files": [SimpleUploadedFile("谈话.jpg", JPEG), SimpleUploadedFile("记录.pdf", PDF)],
    })
    assert r.status_code == 302
    atts = list(StepAttachment.objects.order_by("id"))
    assert [a.name for a in atts] == ["谈话.jpg", "记录.pdf"]
    url = f"/recruitment/{file_b1.pk}/attachments/{atts[1].pk}/"
    assert url in client(cast.secretary1).get(f"/recruitment/{file_b1.pk}/").content.decode()
    r = client(cast.viewer).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r["Content-Security-Policy"] == "sandbox"
    assert b"".join(r.streaming_content) == PDF
    assert client(cast.secretary2).get(url).status_code == 404
    assert client(cast.outsider).get(url).status_code == 404
    other = actions.open_file({**PERSON, "name": "周敏", "id_number": idcard.make("370102", dt.date(1998, 7, 7), 42)}, org=cast.tree.b1,
                              by=cast.secretary1, applied_on=dt.date(2022, 3, 1))
    assert client(cast.secretary1).get(f"/recruitment/{other.pk}/attachments/{atts[1].pk}/").status_code == 404
