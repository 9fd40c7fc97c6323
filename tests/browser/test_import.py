"""Roster import in the browser: a county admin uploads a CSV with a bad row and sees which row, column and
why, nothing written; uploads the corrected file, sees what will be added and changed, confirms, and the
members are there. (In tests/browser: one Playwright session per test run.)"""

from python_calamine import CalamineWorkbook

from dangjian.members.models import Member
from tests.io.helpers import existing_row, member_row, write_csv


def upload(page, live_server, kind: str, path) -> None:
    """From the import page, upload `path` as a member (kind "members") or organization ("orgs") file and wait for
    its preview."""
    page.goto(f"{live_server.url}/io/")
    page.set_input_files("#member-file" if kind == "members" else "#org-file", str(path))
    page.click(f"form[action*='{kind}'] button:has-text('上传并预览')")
    page.wait_for_url(f"{live_server.url}/io/jobs/*/")


def test_upload_preview_fix_and_confirm(page, phone, live_server, cast, login, shot, tmp_path):
    changed = existing_row(cast.m1)
    bad = [member_row("钱八", seq=803), member_row("孙九", seq=805, joined="2030-01-01"), changed,
           member_row("周十", seq=807, joined="2012.07")]  # a date written to the month only, as rosters do
    login(page, "county_admin")
    upload(page, live_server, "members", write_csv(tmp_path / "东村名册.csv", bad))
    text = page.inner_text("body")
    assert "共有 3 处错误，未写入任何数据" in text and "入党日期不能晚于今天" in text and "转正日期应晚于入党日期" in text
    assert "入党日期（2012.07）：日期只写到了月份，请写到日" in text
    assert page.locator("tr:has-text('错误')").first.inner_text().startswith("3")  # the spreadsheet's row 3
    assert "钱八" not in text  # the preview opens on the rows to fix; 全部 shows them all
    page.click("a:has-text('全部 4')")
    assert "钱八" in page.inner_text("body")
    page.click("a:has-text('错误 2')")
    shot(page, "io-preview-errors-desktop")
    errors_preview = page.url
    assert not Member.objects.filter(name="钱八").exists()

    good = [member_row("钱八", seq=803), member_row("孙九", seq=805), changed]
    upload(page, live_server, "members", write_csv(tmp_path / "东村名册.csv", good))
    text = page.inner_text("body")
    assert "检查通过：新增 2，变更 1，无变化 0" in text and "工作岗位" in text
    shot(page, "io-preview-ok-desktop")
    preview = page.url

    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert "导入：新增 2，变更 1" in page.inner_text("body")
    shot(page, "io-done-desktop")
    assert Member.objects.filter(name__in=["钱八", "孙九"], org__code="CA1B1").count() == 2
    cast.m1.refresh_from_db()
    assert cast.m1.job == "教师"

    # the previews on a phone: readable, nothing off the side
    login(phone, "county_admin")
    phone.goto(errors_preview)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert "日期只写到了月份" in phone.inner_text("body")
    shot(phone, "io-preview-errors-phone")
    phone.goto(preview)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-done-phone")

    # the whole branch back out from the same page, to hand round for checking
    page.context.clear_cookies()
    login(page, "secretary1")
    page.goto(f"{live_server.url}/io/")
    assert "“城关镇东村党支部”党籍正常的党员（4名）" in page.inner_text("#export-card")
    with page.expect_download() as download:
        page.click("#export-card a:has-text('导出 Excel')")
    sheet = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    assert {"钱八", "孙九", cast.m1.name} <= {row[0] for row in sheet[1:]} and len(sheet) == 5
    shot(page, "io-index-export-desktop")


def test_a_town_workbook_with_a_sheet_per_village(page, phone, live_server, cast, login, shot, tmp_path):
    """One upload for the whole town: each village's sheet is read, and each row of the preview says its sheet."""
    from tests.io.test_workbook_sheets import town

    east = [member_row("吴一", seq=811), member_row("郑二", seq=813)]
    west = [member_row("王三", seq=815, org="CA1B2"),
            member_row("冯四", seq=817, org="CA1B2", joined="2030-01-01", category="预备党员", confirmed="")]
    path = town(tmp_path / "城关镇党员花名册.xlsx", east, west)
    login(page, "county_admin")
    upload(page, live_server, "members", path)
    text = page.inner_text("body")
    assert "共有 1 处错误，未写入任何数据" in text and "入党日期不能晚于今天" in text
    error_row = page.locator("tr:has-text('错误')").first.inner_text()
    assert error_row.startswith("西村\n4")  # the sheet, then its own row number
    shot(page, "io-preview-sheets-desktop")
    login(phone, "county_admin")
    preview = page.url
    phone.goto(f"{live_server.url}/io/")  # the upload page says what a workbook of several sheets does
    assert "有表头的工作表都会导入" in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-upload-phone")
    phone.goto(preview)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-preview-sheets-phone")
    assert not Member.objects.filter(name="吴一").exists()


def test_each_branchs_file_chosen_together(page, phone, live_server, cast, login, shot, tmp_path):
    """The town's office has a file from each village: chosen together in the picker, checked together, each row of
    the preview saying its file; the fixed file chosen again with the others, and all of them written at once."""
    from tests.io.helpers import write_xlsx

    east = write_xlsx(tmp_path / "东村党员名册.xlsx", [member_row("吴一", seq=821), member_row("郑二", seq=823)])
    west = write_csv(tmp_path / "西村.csv", [member_row("王三", seq=825, org="CA1B2"),
                                             member_row("冯四", seq=827, org="CA1B2", education="幼儿园")])
    login(page, "town_admin")
    page.goto(f"{live_server.url}/io/")
    assert "多个文件（如各支部报来的）可以一次选择" in page.inner_text("body")
    page.set_input_files("#member-file", [str(east), str(west)])
    page.click("form[action*='members'] button:has-text('上传并预览')")
    page.wait_for_url(f"{live_server.url}/io/jobs/*/")
    text = page.inner_text("body")
    assert "东村党员名册.xlsx等2个文件.zip" in text and "读取的文件：“东村党员名册.xlsx”2行、“西村.csv”2行" in text
    assert page.locator("tr:has-text('错误')").first.inner_text().startswith("西村.csv\n3")
    shot(page, "io-preview-files-desktop")
    write_csv(west, [member_row("王三", seq=825, org="CA1B2"), member_row("冯四", seq=827, org="CA1B2")])
    page.goto(f"{live_server.url}/io/")
    page.set_input_files("#member-file", [str(east), str(west)])
    page.click("form[action*='members'] button:has-text('上传并预览')")
    page.wait_for_url(f"{live_server.url}/io/jobs/*/")
    assert "检查通过：新增 4" in page.inner_text("body")
    # where each village's rows go, before they are written: a row per branch, and each new row's branch
    table = page.locator("#branches")
    assert table.locator("tbody tr").all_inner_texts() == ["城关镇东村党支部 CA1B1\t2\t0\t0",
                                                           "城关镇西村党支部 CA1B2\t2\t0\t0"]
    assert page.locator("tr:has-text('王三')").inner_text().count("编入城关镇西村党支部") == 1
    assert "东县城关镇党委下的党支部在本次文件中都有党员" in page.inner_text("#without-rows")
    shot(page, "io-preview-branches-desktop")
    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert "导入：新增 4" in page.inner_text("body")
    assert Member.objects.filter(name__in=["吴一", "郑二", "王三", "冯四"]).count() == 4
    login(phone, "town_admin")
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-done-files-phone")


def test_a_long_list_is_exported_in_the_background(page, phone, live_server, cast, login, shot, settings):
    """A county's list over the direct limit: the export button leads to the job's page, which then offers the file."""
    settings.DANGJIAN_EXPORT_SYNC_MAX_ROWS = 2
    login(page, "county_admin")
    page.goto(f"{live_server.url}/members/?org=CA1")
    page.click("#export-links a:has-text('导出 Excel')")
    page.wait_for_url(f"{live_server.url}/io/exports/*/")
    text = page.inner_text("body")
    assert "已完成" in text and "导出 3 名党员" in text
    with page.expect_download() as download:
        page.click("a:has-text('下载文件')")
    assert download.value.suggested_filename.endswith(".xlsx") and "东县城关镇党委名册" in download.value.suggested_filename
    shot(page, "io-export-job-desktop")
    login(phone, "county_admin")
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-export-job-phone")
    # an export that cannot be made says why, with the way back to the list (typed in: no referrer, the member list)
    phone.goto(f"{live_server.url}/io/members/export/?org=CA1&format=csv&sheets=branch")
    assert "按支部分工作表只适用于 Excel" in phone.inner_text("body")
    shot(phone, "io-export-error-phone")
    phone.click("a:has-text('返回名单')")
    phone.wait_for_url(f"{live_server.url}/members/")


def test_an_organization_list_that_names_its_parents(page, phone, live_server, cast, login, shot, tmp_path):
    """A town's 党组织设置情况表 names each organization's parent (上级党组织) instead of giving its code: the
    preview places them, and a name that is no organization is said on its row."""
    from dangjian.orgs.models import Org

    header = ["党组织编码", "党组织名称", "上级党组织", "党组织类别", "所属领域"]
    rows = [["CA1Z", "城关镇机关党总支", "东县城关镇党委", "党总支", "机关"],
            ["CA1Z1", "城关镇政府机关党支部", "城关镇机关党总支", "党支部", "机关"],
            ["CA1Z2", "城关镇卫生院党支部", "城关镇卫生院党总支", "党支部", "医院"]]
    login(page, "town_admin")
    upload(page, live_server, "orgs", write_csv(tmp_path / "设置情况表.csv", rows, header=header))
    text = page.inner_text("body")
    assert "共有 1 处错误，未写入任何数据" in text
    assert "没有名为“城关镇卫生院党总支”的党组织（或不在您的管理范围内），请核对全称或改用“上级党组织编码”列" in text
    shot(page, "io-orgs-by-name-error-desktop")
    assert not Org.objects.filter(code__startswith="CA1Z").exists()

    rows[2][2] = "城关镇机关党总支"
    upload(page, live_server, "orgs", write_csv(tmp_path / "设置情况表.csv", rows, header=header))
    assert "检查通过：新增 3，变更 0，无变化 0" in page.inner_text("body")
    preview = page.url
    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert "导入：新增 3" in page.inner_text("body")
    general = Org.objects.get(code="CA1Z")
    assert general.parent_org() == cast.tree.town
    assert {Org.objects.get(code=c).parent_org() for c in ("CA1Z1", "CA1Z2")} == {general}
    login(phone, "town_admin")
    phone.goto(preview)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-orgs-by-name-done-phone")


def test_a_printed_form_with_split_dates_and_a_date_shown_to_the_month(page, phone, live_server, cast, login, shot,
                                                                        tmp_path):
    """A branch's printed-style .xlsx: 出生年月 over 年 | 月 and 入党时间 over 年 | 月 | 日. Another one typed 2012年7月
    into its 入党日期 (Excel keeps 7月1日 under a month-only format): its row says the day is missing."""
    import datetime as dt

    from tests.io.helpers import Formatted, write_xlsx
    from tests.io.test_two_level_headers import SPLIT_MERGES, SPLIT_SUB, SPLIT_TOP, _roster, _split_cells

    login(page, "county_admin")
    shown = [member_row("冯一", seq=821, joined=Formatted(dt.date(2012, 7, 1), 'yyyy"年"m"月"'))]
    upload(page, live_server, "members", write_xlsx(tmp_path / "西村名册.xlsx", shown))
    text = page.inner_text("body")
    assert "共有 1 处错误，未写入任何数据" in text
    assert "入党日期：单元格格式只显示到月（2012年7月），看不出是哪一天（Excel存为7月1日）" in text
    shot(page, "io-month-only-date-error-desktop")

    rows = [_split_cells(1, "陈二", 823, (1990, 3), (2012, 7, 1), (2013, 7, 1)),
            _split_cells(2, "褚三", 825, (1990, 3), (2024, 6, 30), ("", "", ""), category="预备党员")]
    upload(page, live_server, "members", _roster(tmp_path / "东村登记表.xlsx", SPLIT_TOP, SPLIT_MERGES, SPLIT_SUB,
                                                     rows))
    assert "检查通过：新增 2，变更 0，无变化 0" in page.inner_text("body")
    preview = page.url
    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert "导入：新增 2" in page.inner_text("body")
    chen = Member.objects.get(name="陈二")
    assert (str(chen.birth_date), str(chen.joined_on), str(chen.confirmed_on)) == (
        "1990-03-07", "2012-07-01", "2013-07-01")
    login(phone, "county_admin")
    phone.goto(preview)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "io-split-dates-done-phone")
