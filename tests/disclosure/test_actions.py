"""Life of an item: drafts, publication, corrections, withdrawal; totals; personal numbers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import Event
from dangjian.disclosure import actions
from dangjian.disclosure.models import DisclosureItem, Status
from dangjian.orgs import actions as org_actions


def _messages(exc) -> str:
    return " ".join(m for msgs in exc.value.message_dict.values() for m in msgs)


def test_create_publish_withdraw_are_audited(cast):
    item = actions.create_draft(cast.tree.b1, {"category": "party", "title": "标题", "body": "正文"},
                                by=cast.secretary1)
    assert item.status == Status.DRAFT and item.org_path == cast.tree.b1.path
    actions.publish(item, by=cast.secretary1)
    actions.withdraw(item, reason="发布错了", by=cast.secretary1)
    item.refresh_from_db()
    assert item.status == Status.WITHDRAWN and item.withdraw_reason == "发布错了"
    verbs = list(Event.objects.filter(object_type="disclosure.disclosureitem", object_id=str(item.pk)).order_by("id").values_list("verb", flat=True))
    assert verbs == ["disclosure.create", "disclosure.publish", "disclosure.withdraw"]


def test_declared_total_must_equal_sum_of_lines(tree):
    with pytest.raises(ValidationError) as e:
        actions.create_draft(tree.b1, {"category": "finance", "title": "财务", "declared_income": "1000"},
                             lines=[{"kind": "income", "item": "补助", "amount": "600"},
                                    {"kind": "income", "item": "租金", "amount": "300.01"}])
    assert "收入合计填写为 1,000.00 元，但各项收入相加为 900.01 元" in _messages(e)
    assert not DisclosureItem.objects.exists()


def test_totals_add_up_when_they_match(tree):
    item = actions.create_draft(tree.b1, {"category": "finance", "title": "财务", "declared_income": "900.01",
                                          "declared_expense": "0"},
                                lines=[{"kind": "income", "item": "补助", "amount": "600"},
                                       {"kind": "income", "item": "租金", "amount": "300.01"}])
    assert item.totals() == {"income": Decimal("900.01"), "expense": Decimal(0), "balance": Decimal("900.01")}


@pytest.mark.parametrize("line, message", [
    ({"kind": "", "item": "x", "amount": "1"}, "第1行：请选择收入或支出"),
    ({"kind": "income", "item": "", "amount": "1"}, "第1行：请填写项目名称"),
    ({"kind": "income", "item": "x", "amount": "-5"}, "第1行金额不能为负数"),
    ({"kind": "income", "item": "x", "amount": "1.234"}, "最多保留两位小数"),
    ({"kind": "income", "item": "x", "amount": "abc"}, "不是有效金额"),
])
def test_bad_finance_lines_are_refused_in_chinese(tree, line, message):
    with pytest.raises(ValidationError) as e:
        actions.create_draft(tree.b1, {"category": "finance", "title": "财务"}, lines=[line])
    assert message in _messages(e)


def test_lines_only_on_finance_items(tree):
    with pytest.raises(ValidationError) as e:
        actions.create_draft(tree.b1, {"category": "party", "title": "党务"},
                             lines=[{"kind": "income", "item": "x", "amount": "1"}])
    assert "只有财务公开可以填写收支明细" in _messages(e)


@pytest.mark.parametrize("field, text", [
    ("body", "低保户张三，身份证号 370102198503120011，已审核"),
    ("body", "<p>联系人电话 138 0000 1234</p>"),
    ("title", "李四 13912345678 宅基地审批"),
])
def test_personal_numbers_are_refused(tree, field, text):
    data = {"category": "village", "title": "标题", "body": "正文", field: text}
    with pytest.raises(ValidationError) as e:
        actions.create_draft(tree.b1, data)
    assert "公开内容不得出现个人身份证号或手机号码" in _messages(e)


def test_masked_numbers_and_money_are_fine(tree):
    item = actions.create_draft(tree.b1, {"category": "village", "title": "低保名单",
                                          "body": "张三 3701**********0011 138****1234，金额 12345678901.00 元以内"})
    assert item.pk


def test_only_drafts_are_edited(items):
    with pytest.raises(ValidationError, match="只有草稿或被退回的内容可以修改"):
        actions.update_draft(items.party, {"title": "偷偷改标题"})
    actions.update_draft(items.draft, {"title": "新标题"})
    items.draft.refresh_from_db()
    assert items.draft.title == "新标题"


def test_correction_is_a_new_version_and_keeps_the_old(items):
    old, new = items.fin, items.fin2
    old.refresh_from_db()
    assert old.status == Status.SUPERSEDED and old.declared_expense == Decimal("320.50")
    assert new.status == Status.PUBLISHED and new.supersedes == old and new.version == 2
    assert new.correction_note == "更正办公用品支出金额"
    assert new.totals()["expense"] == Decimal("330.50") and old.totals()["expense"] == Decimal("320.50")
    with pytest.raises(ValidationError, match="只有已公开的内容可以更正"):
        actions.correct(old, {}, note="再改")


def test_correction_needs_a_note_and_keeps_the_category(items):
    with pytest.raises(ValidationError) as e:
        actions.correct(items.party, {"title": "改"}, note=" ")
    assert "请填写更正说明" in _messages(e)
    with pytest.raises(ValidationError) as e:
        actions.correct(items.party, {"category": "village"}, note="改类别")
    assert "更正不能改变公开类别" in _messages(e)


def test_withdraw_needs_a_reason_and_a_published_item(items):
    with pytest.raises(ValidationError):
        actions.withdraw(items.party, reason="")
    with pytest.raises(ValidationError, match="只有已公开的内容可以撤回"):
        actions.withdraw(items.draft, reason="x")


def test_empty_item_cannot_be_published(tree):
    item = actions.create_draft(tree.b1, {"category": "party", "title": "空"})
    with pytest.raises(ValidationError, match="公开内容为空"):
        actions.publish(item)


def test_attachments_images_and_pdf_only_up_to_10mb(items, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("收据.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    att = actions.add_attachment(items.draft, pdf)
    assert att.content_type == "application/pdf" and "收据" not in att.file.name
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="文件内容与扩展名.pdf不符"):
        actions.add_attachment(items.draft, fake)
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="只能是图片"):
        actions.add_attachment(items.draft, exe)
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError, match="不能超过10MB"):
        actions.add_attachment(items.draft, big)
    with pytest.raises(ValidationError, match="只能给草稿添加附件"):
        actions.add_attachment(items.party, pdf)


def test_items_follow_their_org_when_it_moves(items, cast):
    t = cast.tree
    org_actions.move_org(t.town, t.district)
    items.party.refresh_from_db()
    t.b1.refresh_from_db()
    assert items.party.org_path == t.b1.path
    assert DisclosureItem.objects.restrict(cast.county_admin, "view").filter(pk=items.party.pk).count() == 0
