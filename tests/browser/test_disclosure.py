"""The public disclosure page on a phone (390x844), and the staff form on a desktop."""

from dangjian.disclosure import actions


def _populate(tree):
    party = actions.create_draft(tree.b1, {
        "category": "party", "title": "2025年第三季度党费收缴情况公示", "period_label": "2025年第3季度",
        "body": "本支部正式党员32名，预备党员2名，本季度应缴党费全部按时足额收缴。"})
    actions.publish(party)
    village = actions.create_draft(tree.b1, {
        "category": "village", "title": "东村村道硬化工程建设情况公示", "period_label": "2025年第3季度",
        "body": "<p>经村民代表会议表决通过，对东村主干道1.2公里进行硬化。</p><p>工程由镇农经站审核。</p>"})
    actions.publish(village)
    fin = actions.create_draft(tree.b1, {"category": "finance", "title": "2025年9月村级财务收支明细",
                                         "period_label": "2025年9月"},
                               lines=[{"kind": "income", "item": "上级转移支付", "amount": "35000"},
                                      {"kind": "income", "item": "集体土地租金", "amount": "12800.50"},
                                      {"kind": "expense", "item": "村道硬化工程首付款", "amount": "30000"},
                                      {"kind": "expense", "item": "保洁员工资", "amount": "2400"}])
    actions.publish(fin)
    return actions.correct(fin, {}, lines=[{"kind": "income", "item": "上级转移支付", "amount": "35000"},
                                           {"kind": "income", "item": "集体土地租金", "amount": "12800.50"},
                                           {"kind": "expense", "item": "村道硬化工程首付款", "amount": "30000"},
                                           {"kind": "expense", "item": "保洁员工资", "amount": "2600"}],
                           note="更正保洁员工资金额")


def test_public_page_on_phone(phone, live_server, cast, shot):
    fin = _populate(cast.tree)
    phone.goto(f"{live_server.url}/gk/CA1B1/")
    assert phone.locator(".gk-org").inner_text() == "城关镇东村党支部"
    assert "已更正" in phone.locator(".gk-item", has_text="9月村级财务").inner_text()
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "disclosure-public-phone")
    phone.click("text=2025年9月村级财务收支明细")
    phone.wait_for_url(f"{live_server.url}/gk/CA1B1/{fin.pk}/")
    assert "47,800.50" in phone.locator("table").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "disclosure-item-phone")
    phone.click("text=查看更正前版本")
    assert "更正前的版本" in phone.locator(".alert-warning").inner_text()
    phone.goto(f"{live_server.url}/gk/CA1B1/poster/")
    assert phone.locator(".qr svg").count() == 1
    shot(phone, "disclosure-poster-phone")


def test_staff_creates_a_draft_on_desktop(page, live_server, cast, login, shot):
    login(page, "secretary1")
    page.goto(f"{live_server.url}/disclosure/new/")
    page.fill("#picker-org", "东村")
    page.click(".picker-results button")
    page.select_option("#id_category", "village")
    page.fill("#id_title", "东村低保评议结果公示")
    page.fill("#id_body", "经村民代表评议，新增低保户2户。")
    shot(page, "disclosure-form")
    page.click("button[name=save]")
    page.wait_for_url(f"{live_server.url}/disclosure/*/")
    assert "草稿" in page.locator("h1 + div").inner_text()
    page.click("button:has-text('公开')")
    assert "已公开" in page.locator(".alert-success").inner_text()
    shot(page, "disclosure-detail")


def test_villager_asks_on_a_phone_and_reads_the_public_answer(phone, live_server, cast, shot):
    """A villager opens an item on a phone, asks a question with a phone number, the secretary answers and makes
    it public, and the villager sees the answer on the item page — without the phone number."""
    from dangjian.disclosure.models import Question

    item = actions.publish(actions.create_draft(cast.tree.b1, {
        "category": "village", "title": "东村村道硬化工程建设情况公示", "body": "工程总投资12万元，由镇农经站审核。"}))
    phone.goto(f"{live_server.url}/gk/CA1B1/{item.pk}/")
    phone.click("text=对此内容提问或提出异议")
    phone.check("input[value=objection]")
    phone.fill("#id_body", "工程款12万元包括哪些项目？能否公开预算明细？")
    phone.fill("#id_phone", "139 1234 5678")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "disclosure-ask-phone")
    phone.wait_for_timeout(3100)  # the form refuses submissions faster than a person types
    phone.click("button[type=submit]")
    assert "已收到您的留言" in phone.locator("h1").inner_text()
    shot(phone, "disclosure-ask-done-phone")
    q = Question.objects.get()
    assert q.phone == "13912345678" and q.kind == "objection"
    actions.answer(q, text="预算明细已作为附件补充公开：路基12,000元、混凝土86,000元、人工22,000元。", public=True,
                   by=cast.secretary1)
    phone.goto(f"{live_server.url}/gk/CA1B1/{item.pk}/")
    answers = phone.locator("#answers").inner_text()
    assert "能否公开预算明细" in answers and "路基12,000元" in answers
    assert "13912345678" not in phone.content() and "139 1234 5678" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("#answers").scroll_into_view_if_needed()
    shot(phone, "disclosure-answer-phone")


def test_committee_sees_overdue_major_matters_on_desktop(page, live_server, cast, login, shot):
    import datetime as dt

    from django.utils import timezone

    from dangjian.disclosure.models import CatalogEntry

    today = timezone.localdate()
    actions.install_default_catalog(cast.tree.county, effective_from=today.replace(month=1, day=1))
    major = CatalogEntry.objects.get(domain="rural", title__contains="四议两公开")
    recruit = CatalogEntry.objects.get(domain="rural", title__contains="发展党员公示")
    actions.register_matter(cast.tree.b1, {"catalog_entry": major, "occurred_on": today - dt.timedelta(days=9),
                                           "title": "村道硬化工程（三组段）实施方案经村民代表会议表决通过"})
    actions.register_matter(cast.tree.b2, {"catalog_entry": recruit, "occurred_on": today - dt.timedelta(days=16),
                                           "title": "确定2名入党积极分子为发展对象"})
    login(page, "town_admin")
    page.goto(f"{live_server.url}/disclosure/overdue/?org=CA1")
    rows = page.locator("#overdue-matters tbody tr")
    assert rows.count() == 2
    assert "城关镇东村党支部" in rows.nth(0).inner_text() and "4天" in rows.nth(0).inner_text()
    assert "11天" in rows.nth(1).inner_text()
    shot(page, "disclosure-overdue")
    page.goto(f"{live_server.url}/disclosure/matters/?org=CA1&state=all")
    assert page.locator("text=逾期未公开").count() >= 2
    shot(page, "disclosure-matters")


def test_item_form_asks_an_immediate_entry_for_its_matter(page, live_server, cast, login, shot):
    import datetime as dt

    from django.utils import timezone

    from dangjian.disclosure.models import CatalogEntry

    today = timezone.localdate()
    actions.install_default_catalog(cast.tree.county, effective_from=today.replace(month=1, day=1))
    major = CatalogEntry.objects.get(domain="rural", title__contains="四议两公开")
    fin = CatalogEntry.objects.get(domain="rural", title="集体财务收支明细")
    road = actions.register_matter(cast.tree.b1, {"catalog_entry": major, "occurred_on": today - dt.timedelta(days=1),
                                                  "title": "村道硬化工程实施方案经村民代表会议表决通过"})
    login(page, "secretary1")
    page.goto(f"{live_server.url}/disclosure/new/?org=CA1B1&entry={major.pk}&matter={road.pk}")
    assert page.locator("#matter-fields").is_visible() and not page.locator("#period-field").is_visible()
    assert page.locator("#id_matter").input_value() == str(road.pk)
    shot(page, "disclosure-form-matter")
    page.select_option("#id_catalog_entry", str(fin.pk))
    assert not page.locator("#matter-fields").is_visible() and page.locator("#period-field").is_visible()
    page.select_option("#id_catalog_entry", str(major.pk))
    page.select_option("#id_category", "village")
    page.fill("#id_body", "方案内容")
    page.click("button[name=save]")
    page.wait_for_url(f"{live_server.url}/disclosure/*/")
    assert "待公开事项：村道硬化工程实施方案" in page.content()
