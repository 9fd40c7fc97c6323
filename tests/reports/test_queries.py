"""党内统计 counts: each column at its edges, the rows by direct child, scope, and a past reference date."""

import datetime as dt

import pytest
import time_machine

from dangjian.members import actions
from dangjian.reports import queries
from tests.factories import make_member, make_org, make_user

TODAY = dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone.utc)
REF = dt.date(2026, 6, 30)


@pytest.fixture
def people(tree):
    """Members of the county (CA: town CA1 with branches B1, B2) and one in the other district (CB01)."""
    with time_machine.travel(TODAY):
        b1, b2 = tree.b1, tree.b2
        return {
            # 30 on REF's eve of 31: born 1995-07-01 is 30 on 2026-06-30; born 1995-06-30 is 31 that day
            "thirty": make_member(b1, "甲", birth=dt.date(1995, 7, 1), joined=dt.date(2018, 7, 1),
                                  confirmed=dt.date(2019, 7, 1)),
            "thirty_one": make_member(b1, "乙", birth=dt.date(1995, 6, 30), joined=dt.date(2018, 7, 1),
                                      confirmed=dt.date(2019, 7, 1), education="college"),
            # joined on the day before / the day the 十八大 opened
            "before_18": make_member(b1, "丙", birth=dt.date(1980, 1, 1), joined=dt.date(2012, 11, 7),
                                     confirmed=dt.date(2013, 11, 7), education="high_school"),
            "since_18": make_member(b2, "丁", birth=dt.date(1980, 1, 1), joined=dt.date(2012, 11, 8),
                                    confirmed=dt.date(2013, 11, 8), education="junior"),
            # this year's recruit: a woman of the 回族, 26, 大专; and a man of 40 with 中专
            "recruit": make_member(b2, "戊", gender="F", birth=dt.date(2000, 1, 1), category="probationary",
                                   joined=dt.date(2026, 3, 1), ethnicity="回族", education="college"),
            "recruit_40": make_member(b2, "己", birth=dt.date(1986, 1, 1), category="probationary",
                                      joined=dt.date(2026, 1, 1), education="vocational"),
            # confirmed this year (joined last year)
            "confirmed": make_member(b2, "庚", gender="F", birth=dt.date(1960, 5, 5), joined=dt.date(2025, 2, 1),
                                     confirmed=dt.date(2026, 2, 1), education="postgraduate"),
            "dead": make_member(b1, "辛", birth=dt.date(1940, 1, 1), joined=dt.date(1965, 1, 1),
                                confirmed=dt.date(1966, 1, 1)),
            "elsewhere": make_member(tree.b3, "壬", gender="F", birth=dt.date(1990, 1, 1)),
        }


@pytest.fixture
def table(people, tree):
    with time_machine.travel(TODAY):
        actions.change_status(people["dead"], "deceased", reason="病故", on=dt.date(2026, 5, 1))
        admin = make_user("county_admin", "admin", tree.county)
        return queries.member_table(admin, tree.county)


def test_totals_count_members_of_normal_standing_in_the_subtree(table):
    t = table.total
    assert table.reference == REF and not table.historical
    assert t["total"] == 7  # 辛 died, 壬 is in another district
    assert (t["full"], t["probationary"]) == (5, 2)
    assert (t["female"], t["minority"]) == (2, 1)
    assert t["college"] == 2 + 1 + 1  # 乙 戊 大专, 甲 本科 (the factory's default), 庚 研究生
    assert sum(t[f"age_{k}"] for k in ("0-30", "31-35", "36-40", "41-45", "46-50", "51-55", "56-60", "61-")) == 7
    assert sum(t[k] for k in ("edu_postgraduate", "edu_bachelor", "edu_college", "edu_vocational",
                              "edu_high_school", "edu_junior")) == 7


def test_age_bands_at_the_reference_date(table):
    t = table.total
    assert t["age_0-30"] == 2  # 甲 (30), 戊 (26)
    assert t["age_31-35"] == 1  # 乙, 31 on the day
    assert t["age_36-40"] == 1  # 己
    assert t["age_46-50"] == 2  # 丙 丁
    assert t["age_61-"] == 1  # 庚


def test_joining_periods_split_at_the_18th_congress(table):
    t = table.total
    assert t["joined_1978_2012"] == 1  # 丙, 2012-11-07
    assert t["joined_since_2012"] == 6
    assert t["joined_before_1949"] == t["joined_1949_1978"] == 0  # 辛 (1965) is not counted: deceased


def test_this_years_recruits_and_confirmations(table):
    t = table.total
    assert t["recruited"] == 2
    assert (t["recruited_female"], t["recruited_minority"], t["recruited_college"]) == (1, 1, 1)
    assert t["recruited_young"] == 1  # 戊 26; 己 is 40
    assert t["confirmed"] == 1  # 庚; the others were confirmed in earlier years


def test_rows_by_direct_child_and_the_organizations_counted(table, tree):
    labels = [r.label for r in table.rows]
    assert labels == ["本级", tree.town.name]
    own, town = table.rows
    assert own.own and own.counts["committees"] == 1 and own.counts["total"] == 0
    assert town.org == tree.town and town.counts["total"] == 7
    assert (town.counts["committees"], town.counts["branches"]) == (1, 2)
    assert table.org_total == 4  # the county, the town, two branches
    # the 本级 row stays in the organizations' section only: it has no member
    grids = {g.section.key: g for g in table.grids()}
    assert [r.label for r, _ in grids["basic"].rows] == ["本级", tree.town.name]
    assert [r.label for r, _ in grids["age"].rows] == [tree.town.name]


def test_a_branch_has_only_its_total(people, tree):
    with time_machine.travel(TODAY):
        sec = make_user("sec", "secretary", tree.b2)
        t = queries.member_table(sec, tree.b2)
    assert t.total["total"] == 4 and t.total["branches"] == 1
    assert all(not g.rows for g in t.grids())


def test_the_city_rows_are_the_county_and_the_district(people, tree):
    with time_machine.travel(TODAY):
        t = queries.member_table(make_user("boss", "admin", tree.city), tree.city)
    by = {r.label: r.counts for r in t.rows}
    assert by[tree.county.name]["total"] == 8 and by[tree.district.name]["total"] == 1  # 辛 is alive here
    assert t.total["total"] == 9 and t.total["female"] == 3


def test_a_past_reference_date_reads_the_registry_as_it_stood(people, tree):
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=dt.timezone.utc)):
        actions.change_status(people["thirty"], "transferred_out", reason="转往外省", on=dt.date(2027, 2, 1))
        make_member(tree.b1, "新", birth=dt.date(2000, 1, 1), category="probationary", joined=dt.date(2027, 1, 20))
        make_org("CA1B3", "城关镇南村党支部", "branch", parent=tree.town)
        admin = make_user("county_admin", "admin", tree.county)
        now = queries.member_table(admin, tree.county)
        year_end = queries.member_table(admin, tree.county, dt.date(2026, 12, 31))
    assert now.total["total"] == 8 and now.total["branches"] == 3  # 甲 left, 新 came, a branch was set up
    assert year_end.historical and year_end.total["total"] == 8 and year_end.total["branches"] == 2
    assert year_end.total["recruited"] == 2 and now.total["recruited"] == 1  # each counts its own year
    assert year_end.total["age_0-30"] == 1  # 戊; 甲 (born 1995-07-01) was 31 by then, as 乙
    assert year_end.total["age_31-35"] == 2
    before = queries.member_table(admin, tree.county, dt.date(2026, 6, 29))
    assert before.total["total"] == 0  # nothing had been entered yet


def test_rows_beyond_the_limit_are_folded(people, tree, monkeypatch):
    monkeypatch.setattr(queries, "MAX_ROWS", 1)
    with time_machine.travel(TODAY):
        actions.change_status(people["dead"], "deceased", reason="病故", on=dt.date(2026, 5, 1))
        t = queries.member_table(make_user("sec", "admin", tree.town), tree.town)
    assert t.folded == 1
    assert [r.label for r in t.rows] == ["本级", tree.b2.name, "其余1个党组织"]  # B2 has the most members
    assert t.total["total"] == 7


def test_parse_reference():
    today = dt.date(2026, 12, 7)
    assert queries.parse_reference("", today) == today
    assert queries.parse_reference("2025-12-31", today) == dt.date(2025, 12, 31)
    with pytest.raises(queries.ReportError, match="无效"):
        queries.parse_reference("2025-13-01", today)
    with pytest.raises(queries.ReportError, match="今天之后"):
        queries.parse_reference("2026-12-08", today)
