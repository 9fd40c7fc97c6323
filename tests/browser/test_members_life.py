"""A secretary registers a mobile member and asks to suspend another; the town committee approves on a phone
and the member's status changes. Desktop and 390x844."""

import datetime as dt

from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.members.models import MobileMembership, StatusCase
from dangjian.rules.base import add_months


def test_register_mobile_and_approve_suspension(page, phone, live_server, cast, login, shot):
    base = live_server.url
    login(page, "secretary1")
    page.goto(f"{base}/members/{cast.m1.pk}/")
    page.click("a:has-text('登记外出流动')")
    page.fill("#id_destination", "广东省深圳市南山区")
    page.fill("#id_since", str(add_months(timezone.localdate(), -7)))
    page.fill("#id_contact", "13900001111")
    page.fill("#id_certificate_no", "粤流证2026-0001")
    page.fill("#id_receiving_org", "CB01")
    shot(page, "members-mobile-form-desktop")
    page.click("button:has-text('登记')")
    page.wait_for_url(f"{base}/members/{cast.m1.pk}/")
    assert "已登记张伟外出流动" in page.content()
    assert MobileMembership.objects.get(member=cast.m1).receiving_org == cast.tree.b3
    page.goto(f"{base}/members/mobile/?tab=transfer")
    assert "应转移组织关系" in page.locator(".card", has_text="张伟").first.inner_text()
    shot(page, "members-mobile-list-desktop")
    with page.expect_download() as download:  # the tab's ledger, as the secretary hands it to the county
        page.click("a:has-text('导出 Excel')")
    assert download.value.suggested_filename.startswith("城关镇东村党支部流动党员（应转移组织关系）")  # named by the branch
    sheet = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == "张伟" and "广东省深圳市南山区" in sheet[1] and "西区花园社区党支部" in sheet[1]

    page.goto(f"{base}/members/{cast.m2.pk}/")
    page.click("a:has-text('申请党籍变更')")
    page.select_option("#id_kind", "suspend")
    page.fill("#id_effective_on", str(timezone.localdate() - dt.timedelta(days=1)))
    page.fill("#id_reason", "失去联系6个月以上，经多方联系仍无法取得联系")
    page.click("button:has-text('提交审批')")
    page.wait_for_url(f"{base}/members/cases/*/")
    case = StatusCase.objects.get(member=cast.m2)
    assert "等待上级党组织审批" in page.content()

    login(phone, "town_admin")
    phone.goto(f"{base}/members/cases/")
    assert "李娜 · 停止党籍" in phone.locator(".card", has_text="李娜").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "members-cases-phone")
    phone.click("a:has-text('李娜 · 停止党籍')")
    phone.fill("#id_note", "同意")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "members-case-detail-phone")
    phone.click("#approve")
    phone.wait_for_url(f"{base}/members/cases/{case.pk}/")
    assert "已批准" in phone.locator("#case-status").inner_text()
    cast.m2.refresh_from_db()
    assert cast.m2.status == "suspended"
    phone.goto(f"{base}/members/{cast.m2.pk}/")
    assert "停止党籍" in phone.content()
    phone.goto(f"{base}/members/{cast.m1.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "members-detail-actions-phone")
    phone.goto(f"{base}/members/mobile/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "members-mobile-list-phone")
    phone.goto(f"{base}/members/lost/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "members-lost-phone")
