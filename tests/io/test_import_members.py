"""dangjian import_members: CONTRACT “Import columns” and the import result shapes."""

import datetime as dt

import pytest

from dangjian.core.models import Event
from dangjian.members.models import Member
from tests.io.helpers import ident, member_row, run, write_csv

pytestmark = pytest.mark.django_db


def test_valid_file_creates_members_and_reports_counts(tree, tmp_path):
    f = write_csv(tmp_path / "m.csv", [member_row(), member_row("李娜", gender="女", seq=22, category="预备党员",
                                                                 joined="2025-06-01", confirmed="")])
    status, out = run("import_members", str(f))
    assert status == 0
    assert out == {"created": 2, "updated": 0, "unchanged": 0}
    zhang = Member.objects.get(id_number=ident())
    assert (zhang.name, zhang.gender, zhang.education, zhang.category) == ("张三", "M", "bachelor", "full")
    assert zhang.joined_on == dt.date(2012, 7, 1) and zhang.confirmed_on == dt.date(2013, 7, 1)
    assert zhang.org == tree.b1 and zhang.org_path == tree.b1.path
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    tree.b1.refresh_from_db()
    tree.city.refresh_from_db()
    assert (tree.b1.direct_full, tree.b1.direct_probationary) == (1, 1)
    assert (tree.city.subtree_full, tree.city.subtree_probationary) == (1, 1)
    assert zhang.history.get().history_change_reason == "导入：m.csv"
    event = Event.objects.get(verb="member.import")
    assert event.detail["file"] == "m.csv" and event.detail["created"] == 2


def test_reimport_of_same_file_changes_nothing(tree, tmp_path):
    f = write_csv(tmp_path / "m.csv", [member_row(), member_row("李四", seq=33)])
    assert run("import_members", str(f)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    assert run("import_members", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 2})
    assert Member.objects.count() == 2
    assert Member.history.count() == 2
