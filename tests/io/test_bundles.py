"""The rosters of many branches in one upload: a .zip of their files (CLI, web, API), or several files chosen
together on the import page (bundled into a .zip by the server). Every file, and every sheet of a workbook in it,
is read as a sheet of one workbook: checked together, written all or nothing, each error naming its file."""

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from dangjian.io import readers
from dangjian.io.members_import import import_members
from dangjian.io.models import ImportJob
from dangjian.io.readers import ReadError, count_rows, read_sheets
from dangjian.members.models import Member
from tests.io.helpers import MEMBER_HEADER, ident, member_row, run, write_csv, write_xlsx
from tests.io.test_workbook_sheets import ORG_HEADER, workbook
from tests.io.xlsb_writer import write_xlsb

pytestmark = pytest.mark.django_db


def pack(path, files: dict, *, utf8_names=True):
    """A .zip of `files` ({name in the archive: path}). `utf8_names=False` stores the names in GBK without the
    UTF-8 flag, as Windows' own compressed folders do on a Chinese system."""
    names = {name: (name if utf8_names else f"n{i:0{len(name.encode('gbk')) - 1}d}") for i, name in enumerate(files)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in files.items():
            z.write(source, names[name])
    if not utf8_names:  # the placeholder names (as long as the GBK bytes) replaced by the GBK bytes
        data = path.read_bytes()
        for name, placeholder in names.items():
            data = data.replace(placeholder.encode(), name.encode("gbk"))
        path.write_bytes(data)
    return path


def branches(tmp_path, *, west=None):
    """东村 as the template's .xlsx, 西村 as a GBK CSV, 南村 as an .xlsb of two sheets (one of applicants)."""
    east = write_xlsx(tmp_path / "e.xlsx", [member_row("甲", seq=11), member_row("乙", seq=13)])
    west = write_csv(tmp_path / "w.csv", west or [member_row("丙", seq=15, org="CA1B2")], encoding="gbk")
    south = write_xlsb(tmp_path / "s.xlsb", {
        "党员": [MEMBER_HEADER, member_row("丁", seq=17, org="CA1B2")],
        "入党申请人": [MEMBER_HEADER, member_row("戊", seq=19, org="CA1B2")]})
    notes = tmp_path / "n.txt"
    notes.write_text("各村名册，请查收", encoding="utf-8")
    return {"城关镇/东村.xlsx": east, "城关镇/西村.csv": west, "城关镇/南村.xlsb": south, "城关镇/说明.docx": notes,
            "__MACOSX/城关镇/._东村.xlsx": notes, "城关镇/~$东村.xlsx": notes}


def test_a_zip_of_branch_rosters_imports_together_and_again_changes_nothing(tree, tmp_path):
    path = pack(tmp_path / "城关镇.zip", branches(tmp_path))
    assert count_rows(path) == 5  # each file as it is counted alone, applicants' sheet too
    assert run("import_members", str(path)) == (0, {"created": 4, "updated": 0, "unchanged": 0})
    assert dict(Member.objects.values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA1B1", "丙": "CA1B2",
                                                                     "丁": "CA1B2"}
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 4})
    result = import_members(path, dry_run=True)
    assert result.as_text().splitlines()[1:] == [
        "读取的文件：“东村.xlsx”2行、“西村.csv”1行、“南村.xlsb / 党员”1行",
        "未读取的文件（不是表格或没有表头）：“说明.docx”",
        "未读取的文件（从名称看不是在册党员）：“南村.xlsb / 入党申请人”"]


def test_windows_gbk_file_names_are_read_as_written(tree, tmp_path):
    files = branches(tmp_path)
    path = pack(tmp_path / "gbk.zip", {k: v for k, v in files.items() if k.endswith((".xlsx", ".csv"))
                                       and "~$" not in k and "__MACOSX" not in k}, utf8_names=False)
    with zipfile.ZipFile(path) as z:
        assert not any(i.flag_bits & 0x800 for i in z.infolist())  # as Windows made it
    assert [name for name, _ in read_sheets(path)] == ["东村.xlsx", "西村.csv"]


def test_each_error_names_its_file_and_nothing_is_written(tree, tmp_path):
    west = [member_row("丙", seq=15, org="CA1B2"), member_row("乙", seq=13, org="CA1B2"),
            member_row("己", seq=21, org="CA1B2", joined="2030-01-01")]
    path = pack(tmp_path / "城关镇.zip", branches(tmp_path, west=west))
    status, out = run("import_members", str(path))
    assert status == 1 and [(e["sheet"], e["row"], e["column"], e["message"]) for e in out["errors"]] == [
        ("西村.csv", 3, "公民身份号码", "与文件“东村.xlsx”第3行的公民身份号码重复"),
        ("西村.csv", 4, "入党日期", "入党日期不能晚于今天"), ("西村.csv", 4, "转正日期", "转正日期应晚于入党日期")]
    assert not Member.objects.exists()
    assert import_members(path, dry_run=True).as_text().splitlines()[1].startswith("文件“西村.csv”第3行 公民身份号码")


def test_a_sheet_of_a_bundled_workbook_is_placed_by_file_and_sheet(tree, tmp_path):
    town = workbook(tmp_path / "t.xlsx", {"东村": [MEMBER_HEADER, member_row("甲", seq=11), member_row("丁", seq=15)],
                                          "西村": [MEMBER_HEADER, member_row("乙", seq=11, org="CA1B2"),
                                                   member_row("丙", seq=13, org="CA1B2")]})
    path = pack(tmp_path / "z.zip", {"城关镇.xlsx": town})
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"][0]["sheet"] == "城关镇.xlsx / 西村"
    assert out["errors"][0]["message"] == "与文件“城关镇.xlsx”工作表“东村”第2行的公民身份号码重复"


def test_what_cannot_be_read_is_said_with_the_files_name(tree, tmp_path, monkeypatch):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    good = write_xlsx(tmp_path / "g.xlsx", [member_row("甲", seq=11)])
    status, out = run("import_members", str(pack(tmp_path / "a.zip", {"东村.xlsx": good, "西村.xlsx": bad})))
    assert status == 1 and out["errors"][0]["message"].startswith("压缩文件中的“西村.xlsx”：无法读取该表格文件")
    not_zip = tmp_path / "b.zip"
    not_zip.write_bytes(b"PK but not")
    assert run("import_members", str(not_zip))[1]["errors"][0]["message"].startswith("无法读取该压缩文件")
    empty = pack(tmp_path / "c.zip", {"__MACOSX/._x.xlsx": good})
    assert run("import_members", str(empty))[1]["errors"][0]["message"] == "压缩文件中没有文件"
    monkeypatch.setattr(readers, "BUNDLE_MAX_BYTES", 1 << 10)  # a bomb: refused before anything is unpacked
    big = pack(tmp_path / "d.zip", {"东村.xlsx": good})
    assert "解压后超过" in run("import_members", str(big))[1]["errors"][0]["message"]
    monkeypatch.setattr(readers, "BUNDLE_MAX_FILES", 1)
    with pytest.raises(ReadError, match="一次最多导入1个"):
        list(read_sheets(pack(tmp_path / "e.zip", {"东村.xlsx": good, "西村.xlsx": good})))


def test_a_password_protected_file_in_the_zip_is_named(tree, tmp_path):
    good = write_xlsx(tmp_path / "g.xlsx", [member_row("甲", seq=11)])
    path = pack(tmp_path / "p.zip", {"东村.xlsx": good})
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # the central directory's entry: its flags say "encrypted"
    data[at + 8] |= 1
    path.write_bytes(bytes(data))
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"][0]["message"] == "压缩文件中的“东村.xlsx”有密码，请去掉密码后重新打包"


def test_the_unpacked_files_are_removed_once_read(tree, tmp_path, monkeypatch):
    made = []
    real = readers._Unpacked.__init__

    def spy(self):
        real(self)
        made.append(self.dir)

    monkeypatch.setattr(readers._Unpacked, "__init__", spy)
    path = pack(tmp_path / "z.zip", branches(tmp_path))
    assert import_members(path, dry_run=True).ok
    count_rows(path)
    assert len(made) == 2 and not any(d.exists() for d in made)


def test_a_countys_zip_of_its_towns_zips_is_opened_in_place(tree, tmp_path, monkeypatch):
    """A county office sends on what its towns sent it: a .zip of .zips. Each inner .zip is read as a folder of its
    name; the limits count the files of every level together; a third level inside is the deepest opened."""
    east = write_xlsx(tmp_path / "e.xlsx", [member_row("甲", seq=11)])
    west = write_csv(tmp_path / "w.csv", [member_row("乙", seq=13, org="CA1B2"), member_row("丙", seq=17, org="NOPE")])
    town = pack(tmp_path / "town.zip", {"东村.xlsx": east, "西村.csv": west})
    path = pack(tmp_path / "县.zip", {"城关镇.zip": town, "直属/机关.xlsx": write_xlsx(
        tmp_path / "j.xlsx", [member_row("丁", seq=15, org="CA1B2")])})
    assert [name for name, _ in read_sheets(path)] == ["城关镇/东村.xlsx", "城关镇/西村.csv", "直属/机关.xlsx"]
    assert count_rows(path) == 4
    status, out = run("import_members", str(path))
    assert status == 1 and [(e["sheet"], e["row"]) for e in out["errors"]] == [("城关镇/西村.csv", 3)]
    assert "党组织编码“NOPE”不存在" in out["errors"][0]["message"]
    assert not Member.objects.filter(name__in=["甲", "乙", "丁"]).exists()
    fixed = write_csv(tmp_path / "w.csv", [member_row("乙", seq=13, org="CA1B2"), member_row("丙", seq=17, org="CA1B2")])
    path = pack(tmp_path / "县.zip", {"城关镇.zip": pack(tmp_path / "town.zip", {"东村.xlsx": east, "西村.csv": fixed}),
                                      "直属/机关.xlsx": tmp_path / "j.xlsx"})
    assert run("import_members", str(path)) == (0, {"created": 4, "updated": 0, "unchanged": 0})
    assert import_members(path, dry_run=True).as_text().splitlines()[1] == (
        "读取的文件：“城关镇/东村.xlsx”1行、“城关镇/西村.csv”2行、“直属/机关.xlsx”1行")

    deep = pack(tmp_path / "3.zip", {"城关镇.zip": pack(tmp_path / "2.zip", {"东村.zip": pack(
        tmp_path / "1.zip", {"东村.xlsx": east})})})  # three levels: the upload, the town's, the village's
    assert [name for name, _ in read_sheets(deep)] == ["城关镇/东村/东村.xlsx"]
    deeper = pack(tmp_path / "4.zip", {"县.zip": deep})
    with pytest.raises(ReadError, match="压缩文件中的“县/城关镇/东村.zip”是第4层压缩包，最多3层"):
        list(read_sheets(deeper))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK but not")
    with pytest.raises(ReadError, match="压缩文件中的“城关镇.zip”无法读取"):
        list(read_sheets(pack(tmp_path / "5.zip", {"城关镇.zip": broken})))
    monkeypatch.setattr(readers, "BUNDLE_MAX_FILES", 2)  # the upload holds 2 entries, the town's .zip 2 more
    with pytest.raises(ReadError, match="压缩文件中有4个文件，一次最多导入2个"):
        list(read_sheets(path))


def test_organizations_from_a_zip(tmp_path):
    county = workbook(tmp_path / "c.xlsx", {"县乡": [ORG_HEADER, ["X", "某县委", "", "党委", "机关"],
                                                      ["X1", "一镇党委", "X", "党委", "农村"]]})
    villages = write_csv(tmp_path / "v.csv", [["X1B1", "一村党支部", "X1", "党支部", "农村"]], header=ORG_HEADER)
    path = pack(tmp_path / "orgs.zip", {"县乡.xlsx": county, "村.csv": villages})
    assert run("import_orgs", str(path)) == (0, {"created": 3, "updated": 0, "unchanged": 0})


def test_several_files_chosen_together_on_the_import_page(cast, client, tmp_path):
    client.force_login(cast.town_admin)
    east = write_xlsx(tmp_path / "东村.xlsx", [member_row("甲", seq=51)])
    west = write_csv(tmp_path / "西村.csv", [member_row("丙", seq=55, org="CA1B2"), member_row("丁", seq=57, org="NOPE")])
    (tmp_path / "a").mkdir()
    twin = write_csv(tmp_path / "a" / "西村.csv", [member_row("戊", seq=59, org="CA1B2")])  # another 西村.csv
    with open(east, "rb") as a, open(west, "rb") as b, open(twin, "rb") as c:
        r = client.post("/io/members/upload/", {"file": [a, b, c]})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.file_name == "东村.xlsx等3个文件.zip" and job.status == "invalid"
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert "西村.csv" in page and "党组织编码“NOPE”不存在" in page
    assert [(e["sheet"], e["row"]) for e in job.errors] == [("西村.csv", 3)]
    r = client.get(f"/io/jobs/{job.pk}/result.xlsx")  # the error list to fix the files by says each row's file
    errors = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0).to_python()
    assert errors[0][:2] == ["文件/工作表", "行号"] and errors[1][:2] == ["西村.csv", 3]
    west = write_csv(tmp_path / "西村.csv", [member_row("丙", seq=55, org="CA1B2")])
    with open(east, "rb") as a, open(west, "rb") as b, open(twin, "rb") as c:
        client.post("/io/members/upload/", {"file": [a, b, c]})
    job = ImportJob.objects.latest("pk")
    assert job.status == "previewed" and job.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert "“西村(2).csv”1行" in client.get(f"/io/jobs/{job.pk}/").content.decode()
    client.post(f"/io/jobs/{job.pk}/confirm/")
    assert set(Member.objects.filter(name__in=["甲", "丙", "戊"]).values_list("id_number", flat=True)) == {
        ident(seq=51), ident(seq=55), ident(seq=59)}


def test_a_zip_among_several_chosen_files_or_too_much_is_refused(cast, client, tmp_path, monkeypatch):
    from dangjian.io import views

    client.force_login(cast.town_admin)
    east = write_xlsx(tmp_path / "东村.xlsx", [member_row("甲", seq=51)])
    bundle = pack(tmp_path / "西村.zip", {"西村.xlsx": east})
    with open(east, "rb") as a, open(bundle, "rb") as b:
        r = client.post("/io/members/upload/", {"file": [a, b]}, follow=True)
    assert "“西村.zip”不是可以导入的文件" in r.content.decode() and "压缩包请单独上传" in r.content.decode()
    monkeypatch.setattr(views, "MAX_UPLOAD", 10)
    with open(east, "rb") as a, open(east, "rb") as b:
        r = client.post("/io/members/upload/", {"file": [a, b]}, follow=True)
    assert "所选文件合计不能超过100MB" in r.content.decode()
    assert not ImportJob.objects.exists()


def test_the_api_takes_a_zip(cast, tmp_path):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.town_admin)
    path = pack(tmp_path / "z.zip", {"东村.xlsx": write_xlsx(tmp_path / "e.xlsx", [member_row("甲", seq=51)]),
                                     "西村.csv": write_csv(tmp_path / "w.csv", [member_row("丙", seq=55, org="CA1B2")])})
    with open(path, "rb") as fh:
        r = api.post("/api/v1/imports/", {"kind": "members", "file": fh}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "previewed" and r.json()["counts"] == {"created": 2, "updated": 0, "unchanged": 0}


def test_a_large_zip_is_checked_and_written_in_the_background(cast, client, tmp_path, settings,
                                                               django_capture_on_commit_callbacks):
    settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS = 2  # the bundle's three rows, counted across its files, are "large"
    client.force_login(cast.town_admin)
    path = pack(tmp_path / "z.zip", {
        "东村.xlsx": write_xlsx(tmp_path / "e.xlsx", [member_row("甲", seq=51), member_row("乙", seq=53)]),
        "西村.csv": write_csv(tmp_path / "w.csv", [member_row("丙", seq=55, org="CA1B2")])})
    with django_capture_on_commit_callbacks(execute=True) as callbacks, open(path, "rb") as fh:
        client.post("/io/members/upload/", {"file": fh})
    job = ImportJob.objects.get()
    assert len(callbacks) == 1 and job.total_rows == 3
    assert job.status == "previewed" and job.counts == {"created": 3, "updated": 0, "unchanged": 0}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and Member.objects.filter(name__in=["甲", "乙", "丙"]).count() == 3
