"""A branch's own roster often has no 所在党组织编码 column: its title row (城关镇东村党支部党员花名册) or its file's name
(城关镇东村党支部.xlsx) says whose it is. When that names one branch the user can see, in full, the sheet's rows go
to it, and the preview says so; otherwise the column is missing as before (or the default organization applies)."""

import pytest

from dangjian.io.members_import import import_members
from dangjian.io.named_branches import InFolders, branches_named, place_of, short_names
from dangjian.members.models import Member
from tests.factories import make_org
from tests.io.helpers import MEMBER_HEADER, member_row, run, write_csv
from tests.io.test_bundles import pack

pytestmark = pytest.mark.django_db

NO_ORG = MEMBER_HEADER[:-1]


def titled(path, title, rows):
    """A roster without the organization column, under a title row."""
    return write_csv(path, [NO_ORG, *[r[:-1] for r in rows]], header=[title])


def test_a_title_row_that_names_the_branch_places_its_members(tree, tmp_path):
    path = titled(tmp_path / "名册.csv", "城关镇东村党支部党员花名册（2026年）", [member_row("甲", seq=11)])
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    assert Member.objects.get(name="甲").org == tree.b1
    result = import_members(path, dry_run=True)
    assert result.sheets == {"named_org": [["名册.csv", "城关镇东村党支部"]]}
    assert result.as_text().splitlines()[-1] == "没有所在党组织列、按标题或文件名编入党支部的工作表：“名册.csv”→城关镇东村党支部"


def test_files_of_a_zip_named_after_their_branches(tree, tmp_path):
    east = write_csv(tmp_path / "e.csv", [r[:-1] for r in [member_row("甲", seq=11)]], header=NO_ORG)
    west = titled(tmp_path / "w.csv", "中共城关镇西村支部委员会 党员名册", [member_row("乙", seq=13)])
    other = write_csv(tmp_path / "o.csv", [member_row("丙", seq=15)[:-1]], header=NO_ORG)
    path = pack(tmp_path / "z.zip", {"城关镇东村党支部.csv": east, "西村.csv": west, "其他.csv": other})
    result = import_members(path, default_org="CA1B1")
    assert result.ok, result.errors
    assert dict(Member.objects.values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA1B2", "丙": "CA1B1"}
    assert result.sheets["named_org"] == [["城关镇东村党支部.csv", "城关镇东村党支部"], ["西村.csv", "城关镇西村党支部"]]
    assert result.sheets["default_org"] == ["其他.csv"]  # the default still applies to the file that names none


def test_only_one_full_name_of_a_branch_the_user_sees_is_taken(tree, cast, tmp_path):
    make_org("CB1", "东村党支部", "branch", parent=tree.district)  # inside 城关镇东村党支部: the longer name wins
    assert branches_named({"a": ["城关镇东村党支部党员名册"]}, None) == {"a": ("CA1B1", "城关镇东村党支部")}
    assert branches_named({"a": ["城关镇东村党支部、城关镇西村党支部党员名册"]}, None) == {}  # two branches: neither
    assert branches_named({"a": ["东村党员名册"], "b": ["城关镇东村支部"]}, None) == {}  # not a full name
    make_org("CB2", "城关镇西村党支部", "branch", parent=tree.district)  # a name two branches share
    assert branches_named({"a": ["城关镇西村党支部"]}, None) == {}
    # the user's scope: the 西区 branch is not secretary1's to see
    assert branches_named({"a": ["西区花园社区党支部"]}, cast.secretary1) == {}
    assert branches_named({"a": ["西区花园社区党支部"]}, cast.city_admin) == {"a": (tree.b3.code, tree.b3.name)}


def test_a_title_that_names_no_branch_still_lacks_the_column(tree, tmp_path):
    path = titled(tmp_path / "名册.csv", "党员花名册", [member_row("甲", seq=11)])
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"][0]["column"] == "所在党组织编码"


def test_a_one_sheet_workbook_is_said_by_its_file_name(tree, tmp_path):
    from tests.io.test_workbook_sheets import workbook

    path = workbook(tmp_path / "城关镇西村党支部.xlsx", {"Sheet1": [NO_ORG, member_row("甲", seq=11, org="")[:-1]]})
    result = import_members(path, dry_run=True)
    assert result.ok, result.errors
    assert result.sheets == {"named_org": [["城关镇西村党支部.xlsx", "城关镇西村党支部"]]}


# --- short names: a village's file as its town receives it ----------------------------------------------------
def rows_only(path, rows):
    return write_csv(path, [r[:-1] for r in rows], header=NO_ORG)


def test_a_short_name_as_a_whole_reads_as_the_one_branch_ending_with_it():
    assert short_names("东村党支部")[:1] == ["东村党支部"]
    assert short_names("2026年东村党支部党员花名册")[:1] == ["东村党支部"]
    assert short_names("中共东村支部委员会（2026年度）")[:1] == ["东村党支部"]
    assert short_names("东村 党支部 名单")[:1] == ["东村党支部"]
    assert short_names("村党支部") == []  # too short to tell one branch from another
    assert short_names("东村支部") == []  # not a name ending in 党支部
    assert short_names("东村党员名册") == []
    # what Windows, a browser or an office adds around a file's name
    for copied in ("东村党支部 - 副本", "东村党支部(1)", "东村党支部（11月更新）"):
        assert short_names(copied)[:1] == ["东村党支部"], copied
    for numbered in ("01.东村党支部", "1、东村党支部", "（三）东村党支部", "03东村党支部", "复件 东村党支部", "03-东村党支部(2)"):
        assert short_names(numbered)[-1] == "东村党支部", numbered
    assert short_names("十里村党支部") == ["十里村党支部"]  # a numeral that is the name's own
    assert short_names("8号楼党支部") == ["8号楼党支部", "号楼党支部"]  # as it is first
    assert short_names("01.村党支部") == ["01.村党支部"]  # without its number too short
    assert place_of("城关镇党委") == place_of("1.城关镇党委") == place_of("01城关镇") == "城关镇"
    assert place_of("中共东县城关镇委员会") == "东县城关镇"
    assert place_of("2026年党员名册") == ""
    assert place_of("东村党支部") is None and place_of("东村.xlsx等3个文件") is None  # not a place


def test_a_towns_zip_of_its_villages_files_by_their_short_names(tree, cast, tmp_path):
    """The town's office zips what its villages sent: 东村党支部.csv, 2026年西村党支部党员花名册.csv. Each goes to the
    one branch of the town whose name ends with it."""
    east = rows_only(tmp_path / "e.csv", [member_row("甲", seq=11)])
    west = rows_only(tmp_path / "w.csv", [member_row("乙", seq=13)])
    path = pack(tmp_path / "z.zip", {"东村党支部.csv": east, "2026年西村党支部党员花名册.csv": west})
    numbered = pack(tmp_path / "n.zip", {"01.东村党支部 - 副本.csv": east, "02.西村党支部(1).csv": west})
    result = import_members(numbered, user=cast.town_admin, dry_run=True)
    assert result.ok, result.errors
    assert [org for _file, org in result.sheets["named_org"]] == ["城关镇东村党支部", "城关镇西村党支部"]
    result = import_members(path, user=cast.town_admin)
    assert result.ok, result.errors
    assert dict(Member.objects.filter(name__in="甲乙").values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA1B2"}
    assert result.sheets["named_org"] == [["东村党支部.csv", "城关镇东村党支部"],
                                          ["2026年西村党支部党员花名册.csv", "城关镇西村党支部"]]


def test_a_short_name_two_branches_end_with_needs_the_towns_folder(tree, cast, tmp_path):
    """At the county two towns may each have a 东村党支部: the file alone names neither; inside its town's folder
    (城关镇党委/东村党支部.csv, or a town's .zip inside the county's) the two join up into 城关镇东村党支部."""
    other_town = make_org("CA2", "东县河口镇党委", "committee", parent=tree.county)
    make_org("CA2B1", "河口镇东村党支部", "branch", parent=other_town)
    east = rows_only(tmp_path / "e.csv", [member_row("甲", seq=11)])
    alone = pack(tmp_path / "alone.zip", {"东村党支部.csv": east})
    result = import_members(alone, user=cast.county_admin, dry_run=True)
    assert not result.ok and result.errors[0]["column"] == "所在党组织编码"
    assert result.errors[0]["message"] == (
        "标题或文件名中的“东村党支部”对应2个党支部（城关镇东村党支部、河口镇东村党支部），无法确定编入哪一个："
        "请在文件名或标题中写党支部全称（如“城关镇东村党支部”），或把文件放进以乡镇命名的文件夹后打包，"
        "或在名册中加“所在党组织编码”列")
    assert "named_org" not in result.sheets
    # the town admin sees only their own 东村: the file alone names it
    assert import_members(alone, user=cast.town_admin, dry_run=True).ok

    hekou = rows_only(tmp_path / "h.csv", [member_row("丁", seq=15)])
    in_folder = pack(tmp_path / "county.zip", {"城关镇党委/东村党支部.csv": east, "河口镇党委/东村党支部.csv": hekou})
    result = import_members(in_folder, user=cast.county_admin, dry_run=True)
    assert result.ok, result.errors
    assert result.sheets["named_org"] == [["城关镇党委/东村党支部.csv", "城关镇东村党支部"],
                                          ["河口镇党委/东村党支部.csv", "河口镇东村党支部"]]
    # one folder zipped (its name cut from the files' names) is named by the .zip, as Windows names it
    town = pack(tmp_path / "城关镇党委.zip", {"城关镇党委/东村党支部.csv": east})
    result = import_members(town, user=cast.county_admin)
    assert result.ok, result.errors
    assert Member.objects.get(name="甲").org == tree.b1
    assert result.sheets["named_org"] == [["城关镇党委.zip", "城关镇东村党支部"]]

    town_zip = pack(tmp_path / "城关镇.zip", {"东村党支部.csv": east})
    nested = pack(tmp_path / "nested.zip", {"城关镇.zip": town_zip})
    result = import_members(nested, user=cast.county_admin, dry_run=True)
    assert result.ok, result.errors
    assert result.sheets["named_org"] == [["nested.zip", "城关镇东村党支部"]]


def test_a_short_name_names_no_branch_outside_the_users_scope(tree, cast, tmp_path):
    """The 东村 secretary's file of 西村 is not read as 东村's (村党支部 is too short to be a name), nor as 西村's,
    which they do not see."""
    assert branches_named({"a": ["西村党支部.xlsx"]}, cast.secretary1) == {}
    assert branches_named({"a": ["东村党支部"]}, cast.secretary1) == {"a": ("CA1B1", "城关镇东村党支部")}
    # two texts naming different branches: neither
    assert branches_named({"a": ["东村党支部", "西村党支部"]}, cast.town_admin) == {}
    # the fullest reading any branch ends with decides: 城关镇东村党支部 names it in full, and a folder that names
    # no committee says nothing
    assert branches_named({"a": [InFolders(("城关镇",), "东村党支部")]}, cast.town_admin) == {"a": ("CA1B1", "城关镇东村党支部")}
    assert branches_named({"a": [InFolders(("新建文件夹",), "东村党支部")]}, cast.town_admin) == {
        "a": ("CA1B1", "城关镇东村党支部")}


# --- folders that name places -----------------------------------------------------------------------------------
def test_a_folder_that_names_another_committee_keeps_its_file_out_of_the_users_branch(tree, cast, tmp_path):
    """河口镇党委/东村党支部.csv at 东县: the county sees one 东村党支部 (城关镇's), but 河口镇 is one of its towns and
    城关镇东村党支部 is not under it (河口镇's village is not in the tree yet, or the file is in the wrong folder).
    Putting it there would move 河口镇's members into 城关镇's village, so the file is refused with the folder named,
    and so is a full name the folder contradicts."""
    make_org("CA2", "东县河口镇党委", "committee", parent=tree.county)
    east = rows_only(tmp_path / "e.csv", [member_row("甲", seq=11)])
    west = rows_only(tmp_path / "w.csv", [member_row("乙", seq=13)])
    for inner in ("河口镇党委/东村党支部.csv", "河口镇党委/城关镇东村党支部.csv"):
        path = pack(tmp_path / "county.zip", {inner: east, "城关镇党委/西村党支部.csv": west})
        result = import_members(path, user=cast.county_admin, dry_run=True)
        assert not result.ok and result.errors[0]["column"] == "所在党组织编码"
        short = inner.split("/")[1].removesuffix(".csv")
        assert result.errors[0]["message"] == (
            f"文件夹“河口镇党委”中的“{short}”：您可见的以它结尾的党支部（城关镇东村党支部）都不在“河口镇党委”下，"
            "无法按文件名编入：请核对文件所在的文件夹，或在文件名或标题中写党支部全称，或在名册中加“所在党组织编码”列")
    # a folder that is no committee's name (11月收到; 农村, which is in a committee's name but not as its place), or
    # one the user does not see (西区区委), is passed over
    make_org("CA3", "东县农村干部学院党委", "committee", parent=tree.county)
    for folder in ("11月收到", "西区区委", "农村"):
        path = pack(tmp_path / "county.zip", {f"{folder}/东村党支部.csv": east, "城关镇党委/西村党支部.csv": west})
        result = import_members(path, user=cast.county_admin, dry_run=True)
        assert result.ok, result.errors
        assert sorted(result.sheets["named_org"]) == sorted([[f"{folder}/东村党支部.csv", "城关镇东村党支部"],
                                                             ["城关镇党委/西村党支部.csv", "城关镇西村党支部"]])


def test_where_towns_name_their_branches_alike_the_folder_picks_the_one_under_it(tree, cast, tmp_path):
    """Many trees call a village's branch just 东村党支部 under its town. The county's .zip of the towns' folders
    places each file under its town's branch of that name, by the town's name in the branch's superiors."""
    for code, town in (("CA2", "东县河口镇党委"), ("CA3", "中共东县石桥镇委员会")):
        make_org(f"{code}B1", "东村党支部", "branch", parent=make_org(code, town, "committee", parent=tree.county))
    hekou = rows_only(tmp_path / "h.csv", [member_row("甲", seq=11)])
    shiqiao = rows_only(tmp_path / "s.csv", [member_row("乙", seq=13)])
    path = pack(tmp_path / "county.zip", {"河口镇党委/2026年东村党支部党员名册.csv": hekou,
                                          "石桥镇/东村党支部.csv": shiqiao})
    result = import_members(path, user=cast.county_admin)
    assert result.ok, result.errors
    assert dict(Member.objects.filter(name__in="甲乙").values_list("name", "org__code")) == {"甲": "CA2B1", "乙": "CA3B1"}
    # the preview's line of files placed by their names tells the two 东村党支部 apart
    assert sorted(result.sheets["named_org"]) == [["河口镇党委/2026年东村党支部党员名册.csv", "东县河口镇党委下的东村党支部"],
                                                  ["石桥镇/东村党支部.csv", "中共东县石桥镇委员会下的东村党支部"]]
    # the town's own .zip is its folder; without one the name is the county's three 东村s
    town = pack(tmp_path / "石桥镇.zip", {"东村党支部.csv": shiqiao})
    assert import_members(town, user=cast.county_admin, dry_run=True).ok
    alone = import_members(pack(tmp_path / "a.zip", {"东村党支部.csv": shiqiao}), user=cast.county_admin, dry_run=True)
    assert not alone.ok and "对应3个党支部（城关镇东村党支部、东县河口镇党委下的东村党支部、中共东县石桥镇委员会下的东村党支部）" in alone.errors[0]["message"]


def test_a_branch_called_by_its_formal_name_is_found_by_its_short_name(tree, cast, tmp_path):
    """The tree may hold a branch's formal name (中共城关镇南村支部委员会); its village sends 南村党支部.xlsx."""
    make_org("CA1B3", "中共城关镇南村支部委员会", "branch", parent=tree.town)
    south = rows_only(tmp_path / "s.csv", [member_row("甲", seq=11)])
    path = pack(tmp_path / "z.zip", {"南村党支部.csv": south})
    result = import_members(path, user=cast.town_admin)
    assert result.ok, result.errors
    assert Member.objects.get(name="甲").org.code == "CA1B3"
