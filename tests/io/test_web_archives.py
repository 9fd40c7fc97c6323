"""Web archives (MHTML) as rosters come in them: Excel's and WPS's “单个文件网页” (.mht), and the “.xls” of the
browser-side multi-sheet export that many web systems use — a MIME message whose pages are the sheets."""

import base64
import quopri

import pytest

from dangjian.io import readers
from dangjian.io.members_import import import_members
from dangjian.members.models import Member
from tests.io.helpers import MEMBER_HEADER, ident, member_row, run

pytestmark = pytest.mark.django_db

HEADER = MEMBER_HEADER


def sheet_page(rows, *, charset="gb2312", hidden=False) -> str:
    """A sheet's page as Excel writes it into the archive: its options in the head, IDs formatted as text."""
    options = "<x:Visible>SheetHidden</x:Visible>" if hidden else ""
    head = "".join(f"<td class=xl65>{h}</td>" for h in HEADER)
    body = "".join("<tr height=18>" + "".join(f"<td class=xl66 x:str>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n'
            f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
            f'<link id=Main-File rel=Main-File href="../党员名册.htm">\n'
            f"<!--[if gte mso 9]><xml>\n <x:WorksheetOptions>{options}<x:Selected/></x:WorksheetOptions>\n"
            f"</xml><![endif]-->\n<style>td {{mso-number-format:\"\\@\";}}</style>\n</head>\n<body link=blue>\n"
            f"<table border=0 cellpadding=0 cellspacing=0 width=600>\n <tr height=18>{head}</tr>\n{body}\n"
            f"<![if supportMisc]><tr><td>&nbsp;</td></tr><![endif]>\n</table>\n</body>\n</html>\n")


def excel_archive(sheets, *, hidden=(), charset="gb2312") -> bytes:
    """Excel's “单个文件网页”: a preamble, a frameset page listing the sheets, each sheet's page (quoted-printable, in
    the page's charset, lines cut at 76 with soft breaks), a tab strip."""
    boundary = "----=_NextPart_01DB4A2C.8F1E2B30"
    names = list(sheets)
    listed = "".join(f"<x:ExcelWorksheet>\n <x:Name>{name}</x:Name>\n"
                     f' <x:WorksheetSource HRef="党员名册.files/sheet{i:03d}.htm"/>\n</x:ExcelWorksheet>\n'
                     for i, name in enumerate(names, start=1))
    main = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n<meta name="Excel Workbook Frameset">\n'
            f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
            f"<!--[if gte mso 9]><xml>\n <x:ExcelWorkbook>\n  <x:ExcelWorksheets>\n{listed}  </x:ExcelWorksheets>\n"
            f" </x:ExcelWorkbook>\n</xml><![endif]-->\n</head>\n"
            f'<frameset rows="*,39" border=0><frame src="党员名册.files/sheet001.htm" name="frSheet">'
            f'<frame src="党员名册.files/tabstrip.htm" name="frTabs"></frameset>\n</html>\n')
    tabs = "<html><body><table><tr>" + "".join(f"<td><a href=sheet{i:03d}.htm target=frSheet>{n}</a></td>"
                                                for i, n in enumerate(names, start=1)) + "</tr></table></body></html>"
    parts = [("file:///C:/B2E1/党员名册.htm", main)]
    parts += [(f"file:///C:/B2E1/党员名册.files/sheet{i:03d}.htm", sheet_page(rows, charset=charset, hidden=name in hidden))
              for i, (name, rows) in enumerate(sheets.items(), start=1)]
    parts.append(("file:///C:/B2E1/党员名册.files/tabstrip.htm", tabs))
    out = [f'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; '
           f'boundary="{boundary}"\r\n\r\nThis document is a Single File Web Page, also known as a Web Archive file.  '
           f"If you are seeing this message, your browser or editor doesn't support Web Archive files.\r\n\r\n".encode()]
    for location, page in parts:
        body = quopri.encodestring(page.encode("gb18030" if charset == "gb2312" else charset))
        out.append(f"--{boundary}\r\nContent-Location: ".encode() + location.encode("gb18030") + b"\r\n"
                   b"Content-Transfer-Encoding: quoted-printable\r\n"
                   + f'Content-Type: text/html; charset="{charset}"\r\n\r\n'.encode() + body + b"\r\n\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def browser_export(sheets) -> bytes:
    """What the common browser-side “导出Excel” script writes: sheets by relative Content-Location, pages declared
    windows-1252 (copied from its template) while the browser wrote them in UTF-8."""
    listed = "".join(f'<x:ExcelWorksheet><x:Name>{n}</x:Name><x:WorksheetSource HRef="sheet{i}.htm"/></x:ExcelWorksheet>'
                     for i, n in enumerate(sheets))
    out = ['MIME-Version: 1.0\nX-Document-Type: Workbook\nContent-Type: multipart/related; boundary="----=_NextPart_dummy"'
           "\n\n------=_NextPart_dummy\nContent-Location: WorkBook.htm\nContent-Type: text/html; charset=windows-1252\n\n"
           '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta name="Excel Workbook Frameset">'
           f"<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets>{listed}</x:ExcelWorksheets>"
           '</x:ExcelWorkbook></xml><![endif]--></head><frameset><frame src="sheet0.htm" name="frSheet"></frameset></html>']
    for i, rows in enumerate(sheets.values()):
        cells = "".join(f"<th>{h}</th>" for h in HEADER)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        out.append(f"\n------=_NextPart_dummy \nContent-Location: sheet{i}.htm\n"
                   "Content-Type: text/html; charset=windows-1252\n\n"
                   f"<html><head><link id=\"Main-File\" rel=\"Main-File\" href=\"../WorkBook.htm\"></head>"
                   f"<body><table><tr>{cells}</tr>{body}</table></body></html>")
    out.append("\n------=_NextPart_dummy--\n")
    return "".join(out).encode("utf-8")


def test_excels_single_file_web_page_is_read_sheet_by_sheet(tree, tmp_path):
    """Two branches' sheets and a hidden list; the frameset and the tab strip are not sheets. Chinese in GB2312,
    quoted-printable, soft line breaks wherever they fall."""
    path = tmp_path / "党员名册.mht"
    path.write_bytes(excel_archive({
        "东村": [member_row("张三", seq=11),
                 member_row("李四", gender="女", seq=12, joined="2012年7月1日", confirmed="2013.7.1")],
        "西村": [member_row("王五", seq=13, joined="2015-05-04", confirmed="2016-05-04", org="CA1B2")],
        "字典": [["男", "女"] + [""] * 10],
    }, hidden={"字典"}))
    assert readers.kind_of(path) == ".mht"
    assert [name for name, _ in readers.read_sheets(path)] == ["东村", "西村"]
    first = list(readers.read_table(path))
    assert first[0] == (1, HEADER)
    assert first[1][1][:4] == ["张三", "男", "汉族", ident(seq=11)]
    assert readers.count_rows(path) == (2 + 1) + (1 + 1)  # each sheet's <tr>s less its header; Excel's padding row
    status, out = run("import_members", str(path))
    assert (status, out) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    assert sorted(Member.objects.values_list("name", "org__code")) == [("张三", "CA1B1"), ("李四", "CA1B1"),
                                                                        ("王五", "CA1B2")]
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 3})


def test_a_web_archive_named_xls_is_read_by_its_content(tree, tmp_path):
    path = tmp_path / "党员信息导出.xls"
    path.write_bytes(browser_export({"东村党支部": [member_row("张三", seq=11)],
                                     "西村党支部": [member_row("王五", seq=13, joined="2032-07-01", confirmed="", category="预备党员", org="CA1B2")]}))
    assert readers.kind_of(path) == ".mht"
    sheets = [(name, list(rows)) for name, rows in readers.read_sheets(path)]
    assert [name for name, _ in sheets] == ["东村党支部", "西村党支部"]
    assert sheets[0][1][1][1][0] == "张三"  # UTF-8, although the part says windows-1252
    result = import_members(path, dry_run=True)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "入党日期")]  # 西村's, in the future
    assert "西村党支部" in result.errors[0]["sheet"]


def test_an_archive_of_one_page(tree, tmp_path):
    """One sheet on the main page itself (no WorksheetSource), and a single-part archive: a page with MIME
    headers."""
    page = sheet_page([member_row("张三", seq=11)], charset="utf-8")
    one = page.replace("<x:WorksheetOptions>", "<x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>"
                       "<x:Name>党员</x:Name><x:WorksheetOptions>").replace(
        "</x:WorksheetOptions>", "</x:WorksheetOptions></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook>")
    path = tmp_path / "a.mht"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                     b"Content-Location: file:///C:/a.htm\r\nContent-Transfer-Encoding: base64\r\n"
                     b"Content-Type: text/html\r\n\r\n" + base64.encodebytes(one.encode()) + b"\r\n--b--\r\n")
    assert [name for name, _ in readers.read_sheets(path)] == [""]
    assert run("import_members", str(path))[1]["created"] == 1
    single = tmp_path / "b.mhtml"
    single.write_bytes(b"From: <Saved by Windows Internet Explorer 8>\r\nMIME-Version: 1.0\r\n"
                       b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
                       + quopri.encodestring(page.encode()))
    assert readers.kind_of(single) == ".mht"
    assert [cells[0] for _, cells in readers.read_table(single)][:2] == ["姓名", "张三"]


def test_an_archive_without_a_table_says_so(tree, tmp_path):
    path = tmp_path / "说明.mht"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                     b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>\xe8\xaf\xb4\xe6\x98\x8e</p>"
                     b"</body></html>\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                     b"iVBORw0KGgo=\r\n--b--\r\n")
    status, out = run("import_members", str(path))
    assert status == 1
    assert out["errors"][0]["message"].startswith("该网页存档（.mht）中没有表格，无法导入")
    assert readers.count_rows(path) == 0


def test_an_archive_in_a_zip_and_the_kinds_the_upload_takes(tree, tmp_path):
    import zipfile

    assert {".mht", ".mhtml"} <= readers.SUPPORTED_SUFFIXES  # the web form, the API and the file picker's list
    bundle = tmp_path / "两村.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("东村.mht", excel_archive({"东村": [member_row("张三", seq=11)]}))
    assert readers.count_rows(bundle) == 2  # the member and Excel's padding row
    assert run("import_members", str(bundle))[1]["created"] == 1


def test_a_page_in_utf16(tree, tmp_path):
    """Tags are then not ASCII bytes: the page's table, rows and head are looked for in its text."""
    page = sheet_page([member_row("张三", seq=11)], charset="utf-16", hidden=False)
    path = tmp_path / "a.mht"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                     b"Content-Transfer-Encoding: base64\r\nContent-Type: text/html; charset=utf-16\r\n\r\n"
                     + base64.encodebytes(page.encode("utf-16")) + b"\r\n--b--\r\n")
    assert readers.count_rows(path) == 2
    assert [cells[0] for _, cells in readers.read_table(path)][:2] == ["姓名", "张三"]
    hidden = tmp_path / "b.mht"
    hidden.write_bytes(path.read_bytes().replace(
        base64.encodebytes(page.encode("utf-16")),
        base64.encodebytes(sheet_page([member_row("张三", seq=11)], charset="utf-16", hidden=True).encode("utf-16"))))
    sheets = readers.read_sheets(hidden)  # the only page says it is hidden: without a worksheet list, it is read
    assert [name for name, _ in sheets] == [""]
