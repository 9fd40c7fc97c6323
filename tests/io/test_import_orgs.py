"""dangjian import_orgs: parents in any order, cycles and unknown parents per row, moves on re-import."""

import pytest

from dangjian.core.models import Event
from dangjian.orgs.models import Org
from tests.io.helpers import run, write_csv

pytestmark = pytest.mark.django_db

ORG_HEADER = ["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域", "成立日期"]


def test_children_before_parents_are_created_in_dependency_order(tmp_path):
    f = write_csv(tmp_path / "o.csv", [
        ["X1B1", "一村党支部", "X1", "党支部", "农村", "2005/7/1"],
        ["X1", "一镇党委", "X", "党委", "农村", ""],
        ["X", "某县委", "", "党委", "机关", "1949年10月1日"],
    ], header=ORG_HEADER)
    assert run("import_orgs", str(f)) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    b = Org.objects.get(code="X1B1")
    assert b.parent_org().code == "X1" and b.parent_org().parent_org().code == "X"
    assert b.org_type == "branch" and b.domain == "rural" and str(b.founded_on) == "2005-07-01"
    assert Event.objects.filter(verb="org.import").count() == 1
    assert run("import_orgs", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 3})


def test_cycles_and_unknown_parents_are_reported_per_row(tmp_path):
    f = write_csv(tmp_path / "o.csv", [
        ["A", "甲", "B", "党委", "农村", ""],
        ["B", "乙", "A", "党委", "农村", ""],
        ["C", "丙", "NOPE", "党支部", "农村", ""],
        ["D", "丁", "", "党小组", "农村", ""],
        ["E", "戊", "C", "党支部", "宇宙", ""],
    ], header=ORG_HEADER)
    status, out = run("import_orgs", str(f))
    assert status == 1
    by_row = {(e["row"], e["column"]): e for e in out["errors"]}
    assert "循环" in by_row[(2, "上级党组织编码")]["message"]
    assert "循环" in by_row[(3, "上级党组织编码")]["message"]
    assert by_row[(4, "上级党组织编码")]["value"] == "NOPE"
    assert by_row[(5, "党组织类别")]["value"] == "党小组"
    assert by_row[(6, "所属领域")]["value"] == "宇宙"
    assert Org.objects.count() == 0


def test_changed_parent_on_reimport_moves_the_org_with_its_members(cast, tmp_path):
    t = cast.tree
    f = write_csv(tmp_path / "o.csv", [["CA1", "东县城关镇党委", "CB", "党委", "农村", ""]], header=ORG_HEADER)
    status, out = run("import_orgs", str(f))
    assert (status, out) == (0, {"created": 0, "updated": 1, "unchanged": 0})
    town = Org.objects.get(code="CA1")
    assert town.parent_org().code == "CB"
    cast.m1.refresh_from_db()
    assert cast.m1.org_path.startswith(town.path)
    assert Event.objects.filter(verb="org.move").exists()
    del t


def test_member_org_becoming_a_committee_is_refused(cast, tmp_path):
    f = write_csv(tmp_path / "o.csv", [["CA1B1", "城关镇东村党支部", "CA1", "党委", "农村", ""]], header=ORG_HEADER)
    status, out = run("import_orgs", str(f))
    assert status == 1 and out["errors"][0]["column"] == "党组织类别"


def test_home_made_headers_and_codes_that_excel_has_damaged(tmp_path):
    """党组织全称 / 成立时间 are read as 党组织名称 / 成立日期; a 16-digit code typed into a numeric cell has lost its
    last digit (Excel keeps 15) and is refused, a short numeric code is read as written."""
    from tests.io.helpers import write_xlsx

    header = ["党组织编码", "党组织全称", "上级党组织编码", "党组织类别", "所属领域", "成立时间"]
    f = write_xlsx(tmp_path / "o.xlsx", [
        [3799, "某县委", "", "党委", "机关", "1949年10月1日"],
        [1234567890123456, "某村党支部", 3799, "党支部", "农村", ""],
    ], header=header)
    status, out = run("import_orgs", str(f))
    assert status == 1 and out["errors"] == [{
        "row": 3, "column": "党组织编码", "value": "1234567890123460",
        "message": "单元格是数字格式，Excel只保留15位有效数字，后几位已丢失；请把该列设为“文本”格式，重新录入后再导入"}]
    assert not Org.objects.exists()
    f = write_xlsx(tmp_path / "o.xlsx", [
        [3799, "某县委", "", "党委", "机关", "1949年10月1日"],
        ["1234567890123456", "某村党支部", 3799, "党支部", "农村", ""],
    ], header=header)
    assert run("import_orgs", str(f)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    assert str(Org.objects.get(code="3799").founded_on) == "1949-10-01"
    assert Org.objects.get(code="1234567890123456").parent_org().code == "3799"


def test_totals_and_signature_lines_are_not_organizations(tmp_path):
    rows = [["C", "示范市委", "", "党委", "机关", ""], ["C02", "前进村党支部", "C", "党支部", "农村", ""],
            ["合计：2个", "", "", "", "", ""], ["填表人：王五", "", "", "审核人：赵六", "", ""]]
    assert run("import_orgs", str(write_csv(tmp_path / "o.csv", rows, header=ORG_HEADER))) == (
        0, {"created": 2, "updated": 0, "unchanged": 0})
    rows.append(["C03", "", "C", "", "", ""])  # an organization's row with cells missing is still reported
    status, out = run("import_orgs", str(write_csv(tmp_path / "o.csv", rows, header=ORG_HEADER)))
    assert status == 1 and {e["row"] for e in out["errors"]} == {6}


NAMED_HEADER = ["党组织编码", "党组织名称", "上级党组织", "党组织类别", "所属领域"]


def test_parents_named_instead_of_coded(tree, tmp_path):
    """A 党组织设置情况表 names each organization's parent: another row of the file, or one already registered."""
    f = write_csv(tmp_path / "n.csv", [
        ["CA3B1", "新河村党支部", "东县新河镇党委", "党支部", "农村"],  # the parent is a later row
        ["CA3", "东县新河镇党委", "东县县委", "党委", "农村"],  # the parent is registered
        ["CA3B2", "新河社区党支部", " 东县新河镇党委 ", "党支部", "社区"],
    ], header=NAMED_HEADER)
    assert run("import_orgs", str(f)) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    town = Org.objects.get(code="CA3")
    assert town.parent_org() == tree.county
    assert {Org.objects.get(code=c).parent_org() for c in ("CA3B1", "CA3B2")} == {town}
    assert run("import_orgs", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 3})
    # a changed parent name moves the branch, as a changed code does
    f = write_csv(tmp_path / "n.csv", [["CA3B2", "新河社区党支部", "东县城关镇党委", "党支部", "社区"]],
                  header=NAMED_HEADER)
    assert run("import_orgs", str(f)) == (0, {"created": 0, "updated": 1, "unchanged": 0})
    assert Org.objects.get(code="CA3B2").parent_org() == tree.town


def test_a_parent_called_by_its_place_is_the_committee_of_that_place(tree, tmp_path):
    """A town's 党组织设置情况表 says 城关镇党委 (or 中共城关镇委员会) where the tree says 东县城关镇党委: the one
    committee whose name ends with that place and a committee's ending. Two such committees are the row's error,
    naming them."""
    from tests.factories import make_org

    make_org("CA2", "中共东县河口镇委员会", "committee", parent=tree.county)
    f = write_csv(tmp_path / "n.csv", [
        ["CA1B9", "城关镇南村党支部", "城关镇党委", "党支部", "农村"],
        ["CA1B8", "城关镇北村党支部", "中共城关镇委员会", "党支部", "农村"],
        ["CA2B1", "河口镇东村党支部", "河口镇党委", "党支部", "农村"],
    ], header=NAMED_HEADER)
    assert run("import_orgs", str(f)) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    assert {c: Org.objects.get(code=c).parent_org().code for c in ("CA1B9", "CA1B8", "CA2B1")} == {
        "CA1B9": "CA1", "CA1B8": "CA1", "CA2B1": "CA2"}
    make_org("CB5", "西区城关镇党委", "committee", parent=tree.district)  # another 城关镇, in another county
    f = write_csv(tmp_path / "n.csv", [["CA1B7", "城关镇新村党支部", "城关镇党委", "党支部", "农村"]], header=NAMED_HEADER)
    status, out = run("import_orgs", str(f))
    assert status == 1 and [e["message"] for e in out["errors"]] == [
        "“城关镇党委”对应2个党组织（东县城关镇党委、西区城关镇党委），请写上级党组织全称或改用“上级党组织编码”列"]


def test_a_parent_name_that_is_no_organization_or_several_is_the_rows_error(tree, tmp_path):
    from tests.factories import make_org

    make_org("CB9", "东县县委", "committee", parent=tree.district)  # a second organization of that name
    f = write_csv(tmp_path / "n.csv", [
        ["CA3", "东县新河镇党委", "东县县委", "党委", "农村"],
        ["CA4", "东县河西镇党委", "东县县委员会", "党委", "农村"],
        ["CA5B1", "某村党支部", "城关镇东村党支部", "党支部", "农村"],  # a branch has no sub-organizations
    ], header=NAMED_HEADER)
    status, out = run("import_orgs", str(f))
    assert status == 1 and [(e["row"], e["column"], e["value"], e["message"]) for e in out["errors"]] == [
        (2, "上级党组织", "东县县委", "有2个党组织名为“东县县委”，请改用“上级党组织编码”列"),
        (3, "上级党组织", "东县县委员会", "没有名为“东县县委员会”的党组织，请核对全称或改用“上级党组织编码”列"),
        (4, "上级党组织", "CA1B1", "上级“CA1B1”是党支部，不能设下级党组织")]
    assert not Org.objects.filter(code__in=["CA3", "CA4", "CA5B1"]).exists()


def test_parent_names_are_looked_up_in_the_users_scope_and_the_code_wins(cast, tmp_path):
    from dangjian.io.orgs_import import import_orgs

    f = write_csv(tmp_path / "n.csv", [["CA1B9", "城关镇南村党支部", "西区区委", "党支部", "农村"]],
                  header=NAMED_HEADER)
    result = import_orgs(f, user=cast.town_admin, dry_run=True)  # 西区区委 is outside the town's scope
    assert [e["message"] for e in result.errors] == [
        "没有名为“西区区委”的党组织（或不在您的管理范围内），请核对全称或改用“上级党组织编码”列"]
    f = write_csv(tmp_path / "c.csv", [["CA1B9", "城关镇南村党支部", "CA1", "西区区委", "党支部", "农村"]],
                  header=["党组织编码", "党组织名称", "上级党组织编码", "上级党组织", "党组织类别", "所属领域"])
    result = import_orgs(f, user=cast.town_admin)
    assert result.ok and Org.objects.get(code="CA1B9").parent_org() == cast.tree.town


def test_codes_that_lost_their_leading_zeros_are_named(tree, tmp_path):
    """Excel keeps 0011 typed into a numeric cell as 11. An unknown parent code says which code it may be; an
    organization whose code is an existing one's of the same name without its zeros is not added a second time."""
    from tests.factories import make_org

    make_org("0011", "城关镇南村党支部", "branch", parent=tree.town)
    make_org("0012", "城关镇北村党总支", "general", parent=tree.town)
    rows = [["11", "城关镇南村党支部", "CA1", "党支部", "农村", ""],
            ["0012001", "北村第一党支部", "12", "党支部", "农村", ""],
            ["77", "新村党支部", "CA1", "党支部", "农村", ""]]  # no 0077: a code of its own
    status, out = run("import_orgs", str(write_csv(tmp_path / "o.csv", rows, header=ORG_HEADER)))
    zeros = "？Excel会去掉数字开头的0，请把该列设为“文本”格式，重新录入后再导入"
    assert status == 1 and [(e["row"], e["column"], e["message"]) for e in out["errors"]] == [
        (2, "党组织编码", f"党组织编码“11”不存在，已有同名党组织，是否应为“0011”{zeros}"),
        (3, "上级党组织编码", f"上级党组织编码“12”不存在，是否应为“0012”{zeros}")]
    assert not Org.objects.filter(code__in=["11", "0012001", "77"]).exists()
