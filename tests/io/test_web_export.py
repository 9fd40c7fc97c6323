"""/io/members/export/: exactly the member list, masked unless the user may see full numbers, logged."""

import pytest

from dangjian.core import idcard
from dangjian.core.models import Event
from tests.io.helpers import get_export

pytestmark = pytest.mark.django_db


def export(client, user, query):
    return get_export(client, user, "/io/members/export/" + query)


def test_viewer_gets_masked_numbers_and_the_export_is_logged(cast, client):
    r, rows = export(client, cast.viewer, "?org=CA&format=csv")
    assert r["Content-Disposition"].startswith("attachment")
    ids = {row[3] for row in rows[1:]}
    assert ids == {idcard.mask(m.id_number) for m in (cast.m1, cast.m2, cast.m3)}
    assert all("****" in row[10] for row in rows[1:])
    ev = Event.objects.get(verb="member.export")
    assert ev.actor == cast.viewer
    assert ev.detail["rows"] == 3 and ev.detail["filter"] == {"org": "CA"} and ev.detail["format"] == "csv"
    assert ev.detail["masked"] == 3 and ev.detail["full_numbers"] == 0


def test_secretary_sees_full_numbers_of_own_branch_only(cast, client):
    _, rows = export(client, cast.secretary1, "?format=xlsx")
    assert sorted(row[3] for row in rows[1:]) == sorted([cast.m1.id_number, cast.m2.id_number])


def test_export_follows_the_list_filters(cast, client):
    _, rows = export(client, cast.city_admin, "?org=CA1B1&category=probationary&format=csv")
    assert [row[0] for row in rows[1:]] == [cast.m2.name]
    assert rows[1][3] == cast.m2.id_number  # city admin may see full numbers


def test_out_of_scope_org_is_404_and_bad_filter_400(cast, client):
    r, _ = export(client, cast.secretary1, "?org=CB01&format=csv")
    assert r.status_code == 404
    r, _ = export(client, cast.secretary1, "?category=nope&format=csv")
    assert r.status_code == 400
    r, _ = export(client, cast.secretary1, "?format=pdf")
    assert r.status_code == 400
    assert not Event.objects.filter(verb="member.export").exists()


def test_outsider_exports_nothing(cast, client):
    _, rows = export(client, cast.outsider, "?format=csv")
    assert rows == [rows[0]]


def test_an_export_by_branch_puts_each_branch_on_its_own_sheet_and_imports_again(cast, client, tmp_path):
    """A town sends each village its roster to check: one sheet a branch, named after it; the corrected workbook
    imports whole."""
    import io

    from python_calamine import CalamineWorkbook

    from dangjian.io.members_import import import_members
    from tests.factories import make_member

    make_member(cast.tree.b2, "钱七", seq=301)
    client.force_login(cast.county_admin)
    page = client.get("/members/").content.decode()
    assert "sheets=branch" in page and "按支部分表" in page
    r = client.get("/io/members/export/", {"org": "CA1", "format": "xlsx", "sheets": "branch"})
    assert r.status_code == 200 and "%EF%BC%88%E6%8C%89%E6%94%AF%E9%83%A8%EF%BC%89" in r["Content-Disposition"]  # （按支部）
    data = b"".join(r.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["城关镇东村党支部", "城关镇西村党支部"]
    sheets = {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}
    assert all(rows[0][0] == "姓名" for rows in sheets.values())
    assert {row[-1] for row in sheets["城关镇西村党支部"][1:]} == {"CA1B2"}
    path = tmp_path / "back.xlsx"
    path.write_bytes(data)
    result = import_members(path, user=cast.county_admin, dry_run=True)
    assert result.ok and result.counts()["created"] == 0 and result.sheets["read"][1][0] == "城关镇西村党支部"
    # CSV has no sheets; an export of more branches than sheets allow says so on a page with the way back
    r = client.get("/io/members/export/", {"format": "csv", "sheets": "branch"}, HTTP_REFERER="/members/?org=CA1")
    assert r.status_code == 400 and "按支部分工作表只适用于 Excel" in r.content.decode()
    assert 'href="/members/?org=CA1"' in r.content.decode()


def test_the_command_exports_by_branch(cast, tmp_path, monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from python_calamine import CalamineWorkbook

    from dangjian.io import export

    out = tmp_path / "b.xlsx"
    call_command("export_members", org="CA", out=str(out), by_branch=True, stdout=io.StringIO())
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["城关镇东村党支部", "城关镇西村党支部"]
    monkeypatch.setattr(export, "MAX_BRANCH_SHEETS", 1)
    with pytest.raises(CommandError, match="名单涉及2个党支部，按支部分工作表最多1个"):
        call_command("export_members", org="CA", out=str(out), by_branch=True, stdout=io.StringIO())


def test_the_io_page_exports_the_whole_scope(cast, client):
    """/io/ offers the user's whole roster in the template's columns: the county's with a sheet per branch, a
    secretary's own branch (no per-branch sheets for one branch); the count it states is the file's."""
    import html
    import io
    import re

    from python_calamine import CalamineWorkbook

    from dangjian.orgs.models import Org

    for user, code, by_branch in ((cast.county_admin, cast.tree.county.code, True),
                                  (cast.secretary1, cast.tree.b1.code, False)):
        client.force_login(user)
        page = html.unescape(client.get("/io/").content.decode())
        card = page[page.index('id="export-card"'):]
        card = card[:card.index("</div></div>")]
        org = Org.objects.get(code=code)
        assert f"“{org.name}”" in card and f"（{org.subtree_total}名）" in card
        assert ("及全部下级" in card) is by_branch and ("sheets=branch" in card) is by_branch
        links = re.findall(r'href="(/io/members/export/\?[^"]+)"', card)
        assert links[:2] == [f"/io/members/export/?org={code}&format=xlsx", f"/io/members/export/?org={code}&format=csv"]
        for link in links[:2]:
            _, rows = get_export(client, user, link)
            assert len(rows) - 1 == org.subtree_total > 0
        if by_branch:  # a sheet per branch, each with its header
            r = client.get(links[2])
            wb = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
            sheets = [wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names]
            assert len(sheets) > 1 and sum(len(rows) - 1 for rows in sheets) == org.subtree_total


def test_the_lists_sheet_per_branch_export_is_offered_for_more_than_one_branch(cast, client):
    for user, query, offered in ((cast.county_admin, "", True), (cast.county_admin, "?org=CA1B1", False),
                                 (cast.secretary1, "", False), (cast.viewer, "?org=CA1", True)):
        client.force_login(user)
        page = client.get("/members/" + query).content.decode()
        assert "导出 Excel" in page and ("sheets=branch" in page) is offered, (user, query)


def _file_name(r) -> str:
    from urllib.parse import unquote

    return unquote(r["Content-Disposition"].split("filename*=UTF-8''", 1)[1])


def test_the_files_name_says_whose_list_and_which_filters(cast, client):
    """Several exports of one day lie side by side in a download folder: a filtered list is not named as the whole
    roster, and a town's export without ?org= is named by the town."""
    from django.utils import timezone

    day = f"{timezone.localdate():%Y%m%d}"
    r, _ = export(client, cast.town_admin, "?format=csv")
    assert _file_name(r) == f"{cast.tree.town.name}名册{day}.csv"
    r, _ = export(client, cast.town_admin, "?category=probationary&gender=F&joined_year=2025&format=csv")
    assert _file_name(r) == f"{cast.tree.town.name}名册（预备党员，女，2025年入党）{day}.csv"
    r, _ = export(client, cast.town_admin, "?org=CA1B1&q=a/b:c&status=all&format=xlsx")
    assert _file_name(r) == f"{cast.tree.b1.name}名册（搜索“abc”，全部党籍状态）{day}.xlsx"
    r, _ = export(client, cast.city_admin, "?age=0-30&ethnicity=少数民族&status=suspended&format=csv")
    assert _file_name(r).startswith(f"{cast.tree.city.name}名册（30岁及以下，少数民族，停止党籍）")
