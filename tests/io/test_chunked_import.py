"""The import checks and writes a file in chunks (CHUNK rows): errors are found in every chunk, an ID
repeated across chunks is caught, nothing is written when any chunk has an invalid row, and a member
changed between the check and the write aborts the import. The fast paths agree with the form's rules."""

import datetime as dt
import random

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.io import members_import
from dangjian.io.members_import import _quick_valid, id_birth_sex, import_members
from dangjian.members.models import Member
from dangjian.members.validation import validate_member
from tests.factories import make_member
from tests.io.helpers import existing_row, ident, import_many_chunks, member_row, run, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def chunk_of_two(monkeypatch):
    monkeypatch.setattr(members_import, "CHUNK", 2)


def test_errors_in_every_chunk_are_all_reported(cast, tmp_path, chunk_of_two):
    rows = [
        member_row("甲", seq=101),                       # row 2  chunk 1
        member_row("乙", seq=103, org="NOPE"),           # row 3  chunk 1: unknown org
        member_row("丙", seq=105),                       # row 4  chunk 2
        member_row("丁", seq=107, joined="2000-01-01"),  # row 5  chunk 2: joined before 18
        member_row("戊", seq=109),                       # row 6  chunk 3
        member_row("己", seq=101),                       # row 7  chunk 3: ID of row 2, two chunks back
        member_row("庚", seq=111, education="幼儿园"),     # row 8  chunk 4 (the last, partial one)
    ]
    status, out = run("import_members", str(write_csv(tmp_path / "c.csv", rows)))
    assert status == 1
    assert [(e["row"], e["column"]) for e in out["errors"]] == [
        (3, "所在党组织编码"), (5, "入党日期"), (7, "公民身份号码"), (8, "学历")]
    assert "第2行" in out["errors"][2]["message"]
    assert Member.objects.count() == 4  # the cast only


def test_one_bad_row_in_the_last_chunk_writes_nothing_from_earlier_chunks(cast, tmp_path, chunk_of_two):
    rows = [member_row(f"党员{i}", seq=201 + 2 * i) for i in range(5)] + [member_row("错", seq=299, gender="女")]
    status, out = run("import_members", str(write_csv(tmp_path / "a.csv", rows)))
    assert status == 1 and [e["row"] for e in out["errors"]] == [7]
    assert Member.objects.count() == 4 and not Event.objects.filter(verb="member.import").exists()


def test_a_file_of_many_chunks_is_written_whole(cast, tmp_path, chunk_of_two):
    rows = import_many_chunks(cast, tmp_path)
    # and again: nothing changes, across chunks too
    assert run("import_members", str(write_csv(tmp_path / "w.csv", rows))) == (
        0, {"created": 0, "updated": 0, "unchanged": 6})


def test_a_member_changed_between_check_and_write_aborts_the_import(cast, tmp_path, monkeypatch):
    rows = [member_row("新人", seq=401),
            existing_row(cast.m1)]
    check = members_import.check_members

    def check_then_someone_edits(*args, **kwargs):
        check(*args, **kwargs)
        Member.objects.filter(pk=cast.m1.pk).update(job="别人刚改的", updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))

    monkeypatch.setattr(members_import, "check_members", check_then_someone_edits)
    status, out = run("import_members", str(write_csv(tmp_path / "r.csv", rows)))
    assert status == 1 and out["errors"][0]["message"] == members_import.MESSAGE_CONFLICT
    assert not Member.objects.filter(id_number=ident(seq=401)).exists()
    cast.m1.refresh_from_db()
    assert cast.m1.job == "别人刚改的"


def test_progress_is_reported_after_every_chunk_then_before_the_write(cast, tmp_path, chunk_of_two):
    seen = []
    path = write_csv(tmp_path / "p.csv", [member_row(f"党员{i}", seq=501 + 2 * i) for i in range(5)])
    result = import_members(path, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert result.ok and result.written
    assert seen == [("check", 2, None), ("check", 4, None), ("write", 0, 5)]


def test_the_command_line_keeps_counts_not_rows(cast, tmp_path):
    path = write_csv(tmp_path / "k.csv", [member_row(seq=601), member_row("坏", seq=603, org="NOPE")])
    result = import_members(path, keep_rows=False, dry_run=True)
    assert result.rows == [] and result.counts() == {"created": 1, "updated": 0, "unchanged": 0}
    assert [e["row"] for e in result.errors] == [3]
    assert import_members(path, dry_run=True).rows[1].kind == "error"  # the web preview keeps them


# ---------------------------------------------------------------- the fast paths agree with the rules
def _numbers(rnd: random.Random, n: int):
    for _ in range(n):
        birth = dt.date(1900, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 130))
        number = idcard.make(f"{rnd.randrange(110000, 660000)}", birth, rnd.randrange(1000))
        kind = rnd.randrange(5)
        if kind == 1:  # a wrong check character
            number = number[:17] + rnd.choice("0123456789X".replace(number[17], ""))
        elif kind == 2:  # an impossible date
            number = number[:10] + "1332" + number[14:]
        elif kind == 3:  # a stray letter or wrong length
            number = rnd.choice([number[:17], number + "1", number[:5] + "A" + number[6:]])
        yield number


def test_id_birth_sex_agrees_with_idcard_parse():
    for number in _numbers(random.Random(7), 3000):
        try:
            info = idcard.parse(number)
            expected = (info.birth_date, info.sex)
        except idcard.IdNumberError:
            expected = None
        assert id_birth_sex(number) == expected, number


class _Org:
    def __init__(self, branch):
        self.is_branch = branch
        self.name = "某党组织"

    def get_org_type_display(self):
        return "党委"


dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))


@settings(max_examples=400, deadline=None)
@given(seed=st.integers(0, 10**6), birth=dates, joined=dates, confirmed=dates,
       gender=st.sampled_from([None, "", "M", "F"]), category=st.sampled_from(["full", "probationary"]),
       branch=st.booleans(), from_id=st.booleans())
def test_quick_valid_says_valid_only_when_validate_member_finds_nothing(seed, birth, joined, confirmed, gender,
                                                                        category, branch, from_id):
    number = next(_numbers(random.Random(seed), 1))
    info = id_birth_sex(number)
    if from_id and info is not None:  # make the common, consistent case common in the sample
        birth = birth and info[0]
        gender = gender and info[1]
        joined = joined and (info[0] + dt.timedelta(days=365 * 20))
    org = _Org(branch)
    data = {"id_number": number.lower(), "birth_date": birth, "gender": gender, "category": category,
            "joined_on": joined, "confirmed_on": confirmed, "org": org, "status": "normal"}
    quick, full = dict(data), dict(data)
    today = timezone.localdate()
    if _quick_valid(quick, org, today, 18):
        assert validate_member(full, check_unique=False) == {}
        assert quick == full  # and it fills in the same normalized number, birth date and sex


def test_quick_valid_takes_the_common_row_and_leaves_the_rest_to_the_form():
    org = _Org(True)
    row = {"id_number": ident(), "birth_date": None, "gender": None, "category": "full",
           "joined_on": dt.date(2012, 7, 1), "confirmed_on": dt.date(2013, 7, 1), "org": org, "status": "normal"}
    assert _quick_valid(row, org, timezone.localdate(), 18)
    assert (row["birth_date"], row["gender"]) == (dt.date(1990, 3, 7), "M")
    for change in ({"gender": "F"}, {"joined_on": dt.date(2000, 1, 1)}, {"category": "probationary"},
                   {"id_number": ident()[:17] + "0"}):
        bad = {**row, "birth_date": None, "gender": None, **change}
        assert not _quick_valid(bad, org, timezone.localdate(), 18)
        assert validate_member(bad, check_unique=False)


def test_a_unique_violation_at_the_write_is_the_conflict_message(cast, tmp_path, chunk_of_two,
                                                                 check_sees_no_members):
    """Someone registered one of the file's people after the check looked them up: the database refuses
    the write (on PostgreSQL inside a COPY, whose error is psycopg's until wrapped) and nothing is written."""
    rows = [member_row(f"党员{i}", seq=701 + 2 * i) for i in range(3)]
    rows.append(existing_row(cast.m3, birth="", phone=""))
    status, out = run("import_members", str(write_csv(tmp_path / "u.csv", rows)))
    assert status == 1 and out["errors"][0]["message"] == members_import.MESSAGE_CONFLICT
    assert Member.objects.count() == 4 and not Event.objects.filter(verb="member.import").exists()


@pytest.mark.parametrize("who", [None, "secretary1"])
def test_the_fast_lane_decides_as_the_full_row_check(cast, tmp_path, chunk_of_two, monkeypatch, who):
    """`_Checker.quick` takes the common row (a new member, or one registered in that branch) without `row`;
    with it turned off every row goes through `row`, and the outcome of every row, every message and every
    member to write or change are the same."""
    rows = [
        member_row("甲", seq=101),                                  # new
        member_row("乙", seq=103, org="NOPE"),                      # unknown org
        member_row("丙", seq=105, org="CA1"),                       # not a branch
        member_row("丁", seq=107, joined="2000-01-01"),             # joined before 18
        member_row("戊", seq=109, gender="女"),                      # sex against the ID
        member_row("己", seq=101),                                  # ID of row 2
        member_row("庚", seq=111, category="预备党员"),               # probationary with a 转正日期
        member_row("辛", seq=113, birth_cell="", gender=""),        # birth date and sex from the ID
        member_row("壬", seq=115, joined="43282"),                  # a date the fast parse leaves to the form
        member_row("癸", seq=117, org="CA1B2", confirmed=""),       # another branch, no 转正日期 (full member)
        existing_row(cast.m1, job=cast.m1.job),                     # unchanged member
        existing_row(cast.m1, job="村医"),                           # the same ID again
        existing_row(make_member(cast.tree.b1, "周杰"), job="会计"),  # changed
        existing_row(cast.m3, org="CA1B1"),                         # a member of another branch
        existing_row(cast.m2, job="会计"),                           # probationary in the registry, full here
        member_row("子", seq=119, education="幼儿园"),                # unknown education
        member_row("丑", seq=121),                                  # new, after all the errors
    ]
    path = write_csv(tmp_path / "f.csv", rows)
    user = getattr(cast, who) if who else None

    def check():
        result = members_import.ImportResult(kind="members", file_name="f.csv", keep_rows=True)
        spooled = []

        class Recording(members_import.Spool):
            def put(self, creates, updates):
                spooled.append((creates, updates))

        with Recording() as spool:
            members_import.check_members(path, result, spool, user=user)
            return result, spooled, dict(spool.direct), spool.paths, (spool.lo, spool.hi)

    fast = check()
    monkeypatch.setattr(members_import._Checker, "quick", lambda *a: False)
    slow = check()
    assert fast[0].errors == slow[0].errors and fast[0].rows == slow[0].rows
    assert fast[0].counts() == slow[0].counts()
    assert fast[1:] == slow[1:]
    assert {e["row"] for e in fast[0].errors} >= {3, 4, 5, 6, 7, 8, 10, 13, 15, 17}
    assert fast[0].counts() == {"created": 3 + (user is None),  # 癸 too when the user may import into CA1B2
                                "updated": 1, "unchanged": 1}
