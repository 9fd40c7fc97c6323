"""The pipeline board: counts per stage for a subtree in one query, and the files whose next step is due."""

import datetime as dt

from dangjian.core import idcard
from dangjian.recruitment import actions, queries

from .journey import PERSON

D = dt.date
APPLIED = D(2022, 3, 1)


def _file(cast, n, org=None, applied=APPLIED):
    person = {**PERSON, "name": f"申请人{n}", "id_number": idcard.make("370102", D(1999, 1, n), 41 + 2 * n)}
    return actions.open_file(person, org=org or cast.tree.b1, by=cast.city_admin, applied_on=applied)


def test_counts_per_stage_for_a_committee_and_a_branch(cast, walk, django_assert_max_num_queries):
    a1, a2 = _file(cast, 1), _file(cast, 2)
    _file(cast, 3, org=cast.tree.b2)
    _file(cast, 4, org=cast.tree.b3)
    walk(a1, 3)
    walk(a2, 15)
    with django_assert_max_num_queries(2):  # the grants, then one GROUP BY
        town = queries.board(cast.town_admin, cast.tree.town, today=D(2024, 1, 1))
    counts = {s["stage"]: s["count"] for s in town.stages}
    assert counts == {"applicant": 1, "activist": 1, "candidate": 0, "probationary": 1, "full": 0, "cancelled": 0}
    assert town.open_total == 3
    branch = queries.board(cast.secretary1, cast.tree.b1, today=D(2024, 1, 1))
    assert {s["stage"]: s["count"] for s in branch.stages}["applicant"] == 0


def test_secretary_sees_only_their_branch_in_a_committee_board(cast):
    _file(cast, 1)
    _file(cast, 2, org=cast.tree.b2)
    b = queries.board(cast.secretary1, cast.tree.town)
    assert b.open_total == 1


def test_due_and_overdue_follow_the_rules_deadlines(cast, walk):
    _file(cast, 1, applied=D(2023, 12, 20))  # talk by 2024-01-20
    activist = _file(cast, 2)
    walk(activist, 3)  # activist 2022-09-01: first assessment by 2023-03-01
    admitted = _file(cast, 3)
    walk(admitted, 15)  # 支部大会 2023-12-01: approval by 2024-03-01
    far = _file(cast, 4, applied=D(2022, 3, 1))
    walk(far, 2)  # nothing due after the talk until the activist decision
    rows = queries.due(cast.town_admin, cast.tree.town, today=D(2024, 1, 5))
    assert [(a.name, a.next_due_on, a.overdue) for a in rows] == [
        ("申请人2", D(2023, 3, 1), True),
        ("申请人1", D(2024, 1, 20), False),
    ]
    rows = queries.due(cast.town_admin, cast.tree.town, today=D(2024, 3, 2))
    assert [(a.name, a.overdue) for a in rows] == [("申请人2", True), ("申请人1", True), ("申请人3", True)]
    assert "上级党委审批" in rows[2].next_due_label


def test_viewer_and_outsider(cast):
    _file(cast, 1)
    assert queries.board(cast.viewer, cast.tree.county).open_total == 1
    assert queries.files(cast.outsider).count() == 0
    assert queries.files(cast.member_user).count() == 0  # a member does not see the branch's applicants


def test_plan_use_counts_admissions_of_the_year_in_the_subtree(cast, walk, django_assert_max_num_queries):
    actions.set_plan(cast.tree.town, 2023, 3, by=cast.town_admin)
    actions.set_plan(cast.tree.b1, 2023, 1, by=cast.town_admin)
    actions.set_plan(cast.tree.town, 2024, 2, by=cast.town_admin)
    walk(_file(cast, 1), 15)  # admitted 2023-12-01 in 东村
    b2 = _file(cast, 2, org=cast.tree.b2)
    walk(b2, 14)
    actions.record_step(b2, 15, {"on": D(2024, 1, 8), "eligible": 5, "present": 5, "yes": 5}, by=cast.town_admin)
    with django_assert_max_num_queries(2):  # the grants, then the plans with their use
        rows = [(p.org.code, p.year, p.planned, p.used) for p in queries.plans(cast.county_admin)]
    assert rows == [("CA1", 2024, 2, 1), ("CA1", 2023, 3, 1), ("CA1B1", 2023, 1, 1)]
    assert [p.org.code for p in queries.plans(cast.secretary1)] == ["CA1B1"]
