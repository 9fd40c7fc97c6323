"""Rosters whose content is not what their names say, as web systems and report tools write them: a “.xls” that is a
web page (an HTML table) or Excel 2003's XML spreadsheet, an .xlsx renamed .xls, a CSV named .xls; and files no
roster can be (a workbook with an open password, a PDF, a Word document) refused with what they are."""

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from dangjian.io import readers
from dangjian.io.members_import import import_members
from dangjian.members.models import Member
from tests.io.helpers import ident, member_row, run, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def html_roster(rows, *, title="城关镇东村党支部党员名册", encoding="utf-8", charset=None) -> bytes:
    """A page as systems export “Excel”: a heading, a header row with 序号, the rows, a total and a signature line;
    the branch code written once, over its members' rows (rowspan), and the IDs as text."""
    charset = charset or encoding
    cells = "".join(f"<th>{h}</th>" for h in ["序号", "姓名", "性别", "民族", "公民身份号码", "学历", "人员类别", "入党日期",
                                                    "转正日期", "所在党组织编码"])
    body = []
    for i, (name, gender, number, joined, confirmed) in enumerate(rows, start=1):
        org = f'<td rowspan="{len(rows)}">CA1B1</td>' if i == 1 else ""
        body.append(f"<tr><td>{i}</td><td>{name}</td><td>{gender}</td><td>汉族</td>"
                    f"<td style=\"mso-number-format:'\\@'\">{number}</td><td>大学本科</td><td>{'正式党员' if confirmed else '预备党员'}</td>"
                    f"<td>{joined}</td><td>{confirmed}</td>{org}</tr>")
    page = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"><title>导出</title>'
            f"<style>td {{ mso-number-format:General; }}</style></head><body>"
            f"<h3>{title}</h3><table border=1><tr>{cells}</tr>{''.join(body)}"
            f'<tr><td colspan="2">合计</td><td>{len(rows)}人</td></tr></table><p>制表人：王五</p></body></html>')
    return page.encode(encoding)


def test_a_web_page_named_xls_imports_as_its_table(tree, tmp_path):
    path = tmp_path / "党员信息导出.xls"
    path.write_bytes(html_roster([("张&nbsp;三", "男", ident(seq=11), "2012-07-01", "2013-07-01"),
                                  ("李四", "女", ident(seq=12), "2012年7月1日", "2013.7.1")], encoding="gbk",
                                 charset="gb2312"))
    assert readers.kind_of(path) == ".html"
    status, out = run("import_members", str(path))
    assert (status, out) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    assert sorted(Member.objects.filter(org=tree.b1).values_list("name", "id_number")) == [
        ("张三", ident(seq=11)), ("李四", ident(seq=12))]
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 2})


def test_a_web_pages_rows_are_numbered_as_excel_shows_them(tree, tmp_path):
    """Its heading is row 1, the header row 2: an error in the second member's cell names row 4."""
    path = tmp_path / "导出.xls"
    path.write_bytes(html_roster([("张三", "男", ident(seq=11), "2012-07-01", "2013-07-01"),
                                  ("李四", "女", ident(seq=12), "2032-07-01", "")]))
    rows = list(readers.read_table(path))
    assert rows[0] == (1, ["城关镇东村党支部党员名册"])
    assert rows[3][1][-1] == "CA1B1"  # the rowspan's value in the row it covers
    assert rows[-1] == (6, ["制表人：王五"])
    result = import_members(path, dry_run=True)
    assert {(e["row"], e["column"]) for e in result.errors} >= {(4, "入党日期")}
    assert readers.count_rows(path) == 3  # counted at upload by its <tr> tags: the table's rows after the header


def test_a_page_read_in_small_pieces_reads_the_same(tree, tmp_path, monkeypatch):
    """The page is decoded and parsed a block at a time: a tag, a comment, a script or a character cut by a block's
    end is read whole."""
    from dangjian.io import markup

    page = html_roster([("张&nbsp;三&amp;", "男", ident(seq=11), "2012-07-01", "2013-07-01"),
                        ("李四", "女", ident(seq=12), "2012-07-01", "2013-07-01")], encoding="gbk")
    page = page.replace(b"<body>", b"<body><!-- a > b --><script>if (a<b) {}</script>")
    path = tmp_path / "p.xls"
    path.write_bytes(page)
    whole = list(readers.read_table(path))
    monkeypatch.setattr(markup, "_BLOCK", 7)
    assert list(readers.read_table(path)) == whole
    assert whole[0] == (1, ["城关镇东村党支部党员名册"]) and len(whole) == 6 and whole[2][1][1] == "张 三&"
    assert readers.count_rows(path) == 3


def test_a_page_in_utf8_without_a_declared_charset_and_without_end_tags(tree, tmp_path):
    page = ("<table><tr><td>姓名<td>性别<td>公民身份号码<td>所在党组织编码"
            f"<tr><td>王\n  五<td>男<br><td>{ident(seq=13)}<td>CA1B1</table>").encode()
    path = tmp_path / "w.xls"
    path.write_bytes(page)
    assert [cells for _, cells in readers.read_table(path)] == [
        ["姓名", "性别", "公民身份号码", "所在党组织编码"], ["王 五", "男", ident(seq=13), "CA1B1"]]  # the page shows its line break as a space


def spreadsheetml(rows_xml: str, *, hidden_sheet: bool = True) -> bytes:
    hidden = ('<Worksheet ss:Name="字典"><Table><Row><Cell><Data ss:Type="String">汉族</Data></Cell></Row></Table>'
              '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>'
              "</WorksheetOptions></Worksheet>") if hidden_sheet else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
            '<Styles><Style ss:ID="Default" ss:Name="Normal"/>'
            '<Style ss:ID="month"><NumberFormat ss:Format="yyyy&quot;年&quot;m&quot;月&quot;"/></Style>'
            '<Style ss:ID="day"><NumberFormat ss:Format="Short Date"/></Style></Styles>'
            f'<Worksheet ss:Name="党员"><Table>{rows_xml}</Table></Worksheet>{hidden}</Workbook>').encode()


def _cell(value, kind="String", **attrs) -> str:
    extra = "".join(f' ss:{k}="{v}"' for k, v in attrs.items())
    return f'<Cell{extra}><Data ss:Type="{kind}">{value}</Data></Cell>'


HEADER = "".join(_cell(h) for h in ["姓名", "性别", "公民身份号码", "入党日期", "转正日期", "所在党组织编码", "人员类别",
                                    "民族", "学历"])
FULL = _cell("正式党员") + _cell("汉族") + _cell("大学本科")  # the last three columns


def test_excel_2003_xml_named_xls_imports(tree, tmp_path):
    """ss:Index skips a row, ss:MergeDown writes the branch once over both members, a date is a DateTime; the
    hidden sheet of lists is not a roster."""
    rows = (f'<Row>{_cell("东村党支部党员名册", MergeAcross="5")}</Row><Row ss:Index="3">{HEADER}</Row>'
            f'<Row>{_cell("张三")}{_cell("男")}{_cell(ident(seq=11))}'
            f'{_cell("2012-07-01T00:00:00.000", "DateTime", StyleID="day")}'
            f'{_cell("2013-07-01T00:00:00.000", "DateTime")}{_cell("CA1B1", MergeDown="1")}{FULL}</Row>'
            f'<Row>{_cell("李<html:B>四</html:B>")}{_cell("女")}{_cell(ident(seq=12))}{_cell("2012-07-01")}'
            f'{_cell("2013-07-01")}{_cell("正式党员", Index="7")}{_cell("汉族")}{_cell("大学本科")}</Row>')
    path = tmp_path / "报表.xls"
    path.write_bytes(spreadsheetml(rows))
    assert readers.kind_of(path) == ".xml2003"
    assert [name for name, _ in readers.read_sheets(path)] == [""]
    assert run("import_members", str(path)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    assert sorted(Member.objects.filter(org=tree.b1).values_list("name", "joined_on")) == [
        ("张三", dt.date(2012, 7, 1)), ("李四", dt.date(2012, 7, 1))]


def test_excel_2003_xml_keeps_what_excel_would_show(tree, tmp_path):
    """A date shown as 2012年7月 names no day (the row's error, as in an .xlsx); an 18-digit ID written as a Number
    has lost its last digits (the row's error, not somebody else's number)."""
    rows = (f"<Row>{HEADER}</Row>"
            f'<Row>{_cell("张三")}{_cell("男")}{_cell(ident(seq=11))}'
            f'{_cell("2012-07-01T00:00:00.000", "DateTime", StyleID="month")}{_cell("2013-07-01")}{_cell("CA1B1")}'
            f'{FULL}</Row><Row>{_cell("李四")}{_cell("女")}{_cell(ident(seq=12)[:17] + "0", "Number")}{_cell("2012-07-01")}'
            f'{_cell("2013-07-01")}{_cell("CA1B1")}{FULL}</Row>')
    path = tmp_path / "报表.xls"
    path.write_bytes(spreadsheetml(rows))
    result = import_members(path, dry_run=True)
    assert sorted((e["row"], e["column"]) for e in result.errors) == [(2, "入党日期"), (3, "公民身份号码")]
    assert "15位有效数字" in next(e["message"] for e in result.errors if e["row"] == 3)


def test_excel_2003_xml_of_two_visible_sheets_is_two_sheets(tree, tmp_path):
    second = ('<Worksheet ss:Name="西村"><Table>'
              f'<Row>{HEADER}</Row><Row>{_cell("王五")}{_cell("男")}{_cell(ident(seq=13))}{_cell("2012-07-01")}'
              f'{_cell("2013-07-01")}{_cell("CA1B2")}{FULL}</Row></Table></Worksheet>')
    data = spreadsheetml(f'<Row>{HEADER}</Row><Row>{_cell("张三")}{_cell("男")}{_cell(ident(seq=11))}'
                         f'{_cell("2012-07-01")}{_cell("2013-07-01")}{_cell("CA1B1")}{FULL}</Row>')
    path = tmp_path / "两村.xls"
    path.write_bytes(data.replace(b"</Workbook>", second.encode() + b"</Workbook>"))
    assert [name for name, _ in readers.read_sheets(path)] == ["党员", "西村"]
    assert readers.count_rows(path) == 4  # counted by <Row> tags at upload (the hidden sheet's one too), less one
    assert run("import_members", str(path))[1]["created"] == 2


def test_excel_2003_xml_sheets_are_found_across_blocks_and_in_utf16(tree, tmp_path, monkeypatch):
    from dangjian.io import markup

    data = spreadsheetml(f'<Row>{HEADER}</Row>').replace(b'ss:Name="\xe5\x85\x9a\xe5\x91\x98"',
                                                          'ss:Name="东村 &amp; 西村"'.encode())
    path = tmp_path / "a.xls"
    path.write_bytes(data)
    assert markup.spreadsheetml_sheets(path) == [("东村 & 西村", 0)]
    monkeypatch.setattr(markup, "_BLOCK", 5)
    assert markup.spreadsheetml_sheets(path) == [("东村 & 西村", 0)]
    wide = tmp_path / "b.xls"
    wide.write_bytes(b"\xff\xfe" + data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"))
    assert readers.kind_of(wide) == ".xml2003"
    assert markup.spreadsheetml_sheets(wide) == [("东村 & 西村", 0)]
    assert [cells[:2] for _, cells in readers.read_table(wide)] == [["姓名", "性别"]]


def test_a_workbook_renamed_and_a_csv_named_xls(tree, tmp_path):
    xlsx = write_xlsx(tmp_path / "a.xlsx", [member_row("甲", seq=11)])
    renamed = tmp_path / "东村.xls"
    shutil.copy(xlsx, renamed)
    assert readers.kind_of(renamed) == ".xlsx"
    assert run("import_members", str(renamed))[1]["created"] == 1
    tsv = tmp_path / "西村.xls"  # what some systems write: tab-separated text in GBK, named .xls
    csv_file = write_csv(tmp_path / "x.csv", [member_row("乙", seq=13, org="CA1B2")], encoding="gbk")
    tsv.write_bytes(csv_file.read_bytes().replace(b",", b"\t"))
    assert readers.kind_of(tsv) == ".csv"
    assert run("import_members", str(tsv))[1]["created"] == 1


def test_a_workbook_with_an_open_password_says_so(tree, tmp_path):
    """A real .xlsx encrypted with the password “demo” (ECMA-376 agile encryption, as Excel and WPS write it)."""
    message = "该文件设有打开密码，无法读取：请在 Excel 或 WPS 中打开它，去掉密码"
    status, out = run("import_members", str(FILES / "encrypted.xlsx"))
    assert status == 1 and out["errors"][0]["message"].startswith(message)
    renamed = tmp_path / "名册.xls"
    shutil.copy(FILES / "encrypted.xlsx", renamed)
    assert run("import_members", str(renamed))[1]["errors"][0]["message"].startswith(message)
    bundle = tmp_path / "各村.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.write(FILES / "encrypted.xlsx", "东村.xlsx")
    assert run("import_members", str(bundle))[1]["errors"][0]["message"].startswith(f"压缩文件中的“东村.xlsx”：{message}")
    assert readers.count_rows(FILES / "encrypted.xlsx") == 0  # counted 0: the import says why


def test_an_xls_with_an_open_password_says_so(tree, tmp_path):
    """A real Excel 97–2003 workbook saved by LibreOffice Calc with the password “demo” (BIFF8's FILEPASS, RC4):
    no EncryptedPackage stream, so calamine's PasswordError says it; also when named .xlsx and inside a .zip."""
    message = "该文件设有打开密码，无法读取：请在 Excel 或 WPS 中打开它，去掉密码"
    status, out = run("import_members", str(FILES / "encrypted.xls"))
    assert status == 1 and out["errors"][0]["message"].startswith(message)
    renamed = tmp_path / "名册.xlsx"
    shutil.copy(FILES / "encrypted.xls", renamed)
    assert readers.kind_of(renamed) == ".xls"
    assert run("import_members", str(renamed))[1]["errors"][0]["message"].startswith(message)
    bundle = tmp_path / "各村.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.write(FILES / "encrypted.xls", "西村.xls")
    assert run("import_members", str(bundle))[1]["errors"][0]["message"].startswith(f"压缩文件中的“西村.xls”：{message}")


@pytest.mark.parametrize(("content", "what"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF 文件"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "图片"),
    (b"Rar!\x1a\x07\x01\x00", "RAR 压缩包"),
])
def test_a_file_that_is_not_a_table_says_what_it_is(tree, tmp_path, content, what):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(content)
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"][0]["message"].startswith(f"该文件是{what}")


def test_a_word_document_named_xlsx_says_so(tree, tmp_path):
    path = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    out = run("import_members", str(path))[1]
    assert out["errors"][0]["message"].startswith("该文件是Word 文档，不是表格")


def test_a_web_page_in_a_zip_of_rosters(tree, tmp_path):
    bundle = tmp_path / "各村.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("东村.xls", html_roster([("张三", "男", ident(seq=11), "2012-07-01", "2013-07-01")]))
        z.write(write_xlsx(tmp_path / "w.xlsx", [member_row("乙", seq=13, org="CA1B2")]), "西村.xlsx")
    assert run("import_members", str(bundle))[1] == {"created": 2, "updated": 0, "unchanged": 0}


def test_a_secretary_uploads_a_systems_xls_export_and_confirms_it(cast, tmp_path):
    """Through the API as the web page does: the web page named .xls previews and imports; a workbook with a
    password is the job's error, said the same way."""
    from tests.factories import token_client

    c = token_client(cast.secretary1)
    path = tmp_path / "党员信息.xls"
    path.write_bytes(html_roster([("新党员", "男", ident(seq=51), "2012-07-01", "2013-07-01")]))
    with open(path, "rb") as fh:
        r = c.post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["counts"] == {"created": 1, "updated": 0, "unchanged": 0} and job["errors"] == []
    assert c.post(f"/api/v1/imports/{job['id']}/confirm/").json()["status"] == "done"
    assert Member.objects.get(id_number=ident(seq=51)).org_id == cast.tree.b1.pk
    with open(FILES / "encrypted.xlsx", "rb") as fh:
        r = c.post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.status_code == 201
    assert r.json()["errors"][0]["message"].startswith("该文件设有打开密码")


def test_the_web_page_says_a_protected_workbook_is_protected_without_a_row(cast, client):
    """A file that cannot be read at all is not “第1行”: its error stands alone under 文件错误."""
    from dangjian.io.models import ImportJob

    client.force_login(cast.secretary1)
    with open(FILES / "encrypted.xlsx", "rb") as fh:
        client.post("/io/members/upload/", {"file": fh})
    page = client.get(f"/io/jobs/{ImportJob.objects.get().pk}/").content.decode()
    assert "<li>该文件设有打开密码，无法读取" in page and "第1行" not in page


def test_a_kind_that_cannot_be_read_says_what_to_do_in_the_form_the_api_and_the_command(cast, client, tmp_path):
    from tests.factories import token_client

    et = tmp_path / "东村名册.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    client.force_login(cast.secretary1)
    with open(et, "rb") as fh:
        page = client.post("/io/members/upload/", {"file": fh}, follow=True).content.decode()
    assert "“东村名册.et”：不支持“.et”文件。WPS 表格自己的 .et 格式无法读取：请在 WPS 中“另存为” Excel 文件（.xlsx）后上传" in page
    with open(et, "rb") as fh:
        r = token_client(cast.secretary1).post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.status_code == 400 and "另存为” Excel 文件（.xlsx）" in r.json()["file"][0]
    rar = tmp_path / "各村.rar"
    rar.write_bytes(b"Rar!\x1a\x07\x01\x00")
    assert run("import_members", str(rar))[1]["errors"][0]["message"].startswith("不支持“.rar”文件。RAR 压缩包无法读取")
    assert readers.unsupported(".abc") == "不支持的文件类型“.abc”，请上传 .xlsx、.xls、.xlsb、.ods、.csv、.mht 文件或它们的 .zip 压缩包"
