"""党内统计 in the browser: the county admin opens it from the menu, goes down to the town, takes the annual report's
date and downloads the workbook; on a phone the page itself does not scroll sideways (the tables scroll inside
their cards)."""

from python_calamine import CalamineWorkbook


def test_county_admin_reads_the_statistics_down_to_a_town(page, live_server, cast, login, shot):
    login(page, "county_admin")
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=统计考核")
    page.click("nav >> text=党内统计")
    page.wait_for_url("**/reports/members/CA/")
    assert "3 名" in page.locator(".report-summary .card", has_text="党员总数").inner_text()  # 张伟, 李娜, 王强
    basic = page.locator("table[data-section=basic]")
    town = basic.locator("tbody tr", has_text=cast.tree.town.name)
    assert town.locator("td").nth(4).inner_text() == "2"  # two branches under the town
    shot(page, "reports-county")
    town.locator("a").click()
    page.wait_for_url("**/reports/members/CA1/")
    assert page.locator("h1").inner_text().startswith(cast.tree.town.name)
    page.click("text=年报口径")
    page.wait_for_url("**as_of=*")
    assert "按当日系统中的记录" in page.content()
    page.click("text=今天")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    wb = CalamineWorkbook.from_path(download.value.path())
    rows = wb.get_sheet_by_name("党组织和党员基本情况").to_python()
    total = next(r for r in rows if r[1] == "合计")
    assert total[6] == 3  # 党员总数 of the town: 张伟, 李娜 (东村), 王强 (西村)


def test_branch_statistics_on_a_phone(phone, live_server, cast, login, shot):
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/reports/")
    phone.wait_for_url("**/reports/members/CA1B1/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert "2 名" in phone.locator(".report-summary .card", has_text="党员总数").inner_text()
    shot(phone, "reports-branch-phone")
