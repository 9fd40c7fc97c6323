"""Cells the import's fast paths take (plain ASCII ID and phone numbers, printable free text) and the ones
they leave to the full cleaning (a lower-case x, full-width digits, inner spaces, a backslash or a tab) end
up in the member and in its “+” history version exactly as the form would store them — on PostgreSQL
through the hand-written COPY text, elsewhere through the ORM."""

import datetime as dt

import pytest

from dangjian.core import idcard
from dangjian.members.models import Member
from tests.io.helpers import member_row, run, write_csv

pytestmark = pytest.mark.django_db

FIELDS = ["name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
          "confirmed_on", "job", "phone", "org_id", "org_path", "status"]


def _number_ending_in_x(birth=dt.date(1990, 3, 7)):
    seq = next(s for s in range(1, 999, 2) if idcard.make("110101", birth, s).endswith("X"))
    return idcard.make("110101", birth, seq)


def test_cleaned_cells_are_stored_as_the_form_would_store_them(tree, tmp_path):
    with_x = _number_ending_in_x()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in idcard.make("110101", dt.date(1990, 3, 7), 21))
    rows = [
        [*member_row("张三", seq=11)[:3], with_x.lower(), *member_row()[4:]],
        [*member_row("李四", seq=21)[:3], full_width, *member_row()[4:10], "0531 8888 1234", "CA1B1"],
        member_row("王\\五", seq=31, job="教师\t班主任", phone="138-0000-1234"),
        member_row("赵六", seq=41, job="  村民  ", phone="１３８００００１２３４"),
    ]
    status, out = run("import_members", str(write_csv(tmp_path / "m.csv", rows)))
    assert (status, out) == (0, {"created": 4, "updated": 0, "unchanged": 0})
    got = {m.name: m for m in Member.objects.all()}
    assert got["张三"].id_number == with_x
    assert got["李四"].id_number == idcard.make("110101", dt.date(1990, 3, 7), 21)
    assert got["李四"].phone == "053188881234"
    assert (got["王\\五"].job, got["王\\五"].phone) == ("教师\t班主任", "138-0000-1234")
    assert (got["王\\五"].name_pinyin, got["王\\五"].name_initials) == ("wangwu", "ww")
    assert (got["赵六"].job, got["赵六"].phone) == ("村民", "13800001234")
    for m in got.values():
        version = m.history.get()
        assert (version.history_type, version.history_change_reason) == ("+", "导入：m.csv")
        assert version.history_user is None  # the command line: no actor
        assert [getattr(version, f) for f in FIELDS] == [getattr(m, f) for f in FIELDS]


def test_the_same_file_again_changes_nothing(tree, tmp_path):
    rows = [member_row("王\\五", seq=31, job="教师\t班主任"), member_row("赵六", seq=41, phone="138 0000 1234")]
    f = write_csv(tmp_path / "m.csv", rows)
    assert run("import_members", str(f))[1]["created"] == 2
    assert run("import_members", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 2})
    assert Member.history.count() == 2
