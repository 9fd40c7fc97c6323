"""A recruitment file walked through the 25 steps on a calendar that keeps every rule, by the right hands:
the branch secretary for the branch's steps, the town 党委's admin for the 党委's (备案, 预审, 审批)."""

import datetime as dt

import pytest

from dangjian.core import idcard
from dangjian.recruitment import actions
from tests.factories import make_member

D = dt.date
APPLICANT_ID = idcard.make("370102", D(2000, 5, 4), 21)  # male, of age in 2022

# step -> data that keeps the rules (people are filled in by `walk`)
GOOD = {
    2: {"on": D(2022, 3, 20), "handled_by": "支部书记 张伟"},
    3: {"on": D(2022, 9, 1)},
    4: {"on": D(2022, 9, 10)},
    5: {"on": D(2022, 9, 15)},
    6: {"on": D(2023, 2, 20)},
    7: {"on": D(2023, 9, 5)},
    8: {"on": D(2023, 9, 10)},
    9: {"on": D(2023, 9, 12)},
    10: {"on": D(2023, 10, 1), "document_no": "政审〔2023〕12号"},
    11: {"on": D(2023, 10, 15), "training_days": 3},
    12: {"on": D(2023, 11, 1)},
    13: {"on": D(2023, 11, 10)},
    14: {"on": D(2023, 11, 15), "document_no": "入党志愿书 0012345"},
    15: {"on": D(2023, 12, 1), "eligible": 10, "present": 8, "yes": 7, "no": 1},
    16: {"on": D(2023, 12, 10)},
    17: {"on": D(2024, 1, 10)},
    18: {"on": D(2024, 1, 20)},
    19: {"on": D(2024, 2, 1)},
    20: {"on": D(2024, 2, 5)},
    21: {"on": D(2024, 6, 1)},
    22: {"on": D(2024, 11, 20)},
    23: {"on": D(2024, 12, 2), "outcome": "convert", "eligible": 10, "present": 9, "yes": 9},
    24: {"on": D(2025, 1, 10)},
    25: {"on": D(2025, 2, 1)},
}
SECOND_ASSESSMENT = {"on": D(2023, 8, 20)}

PERSON = {"name": "陈晨", "id_number": APPLICANT_ID, "education": "bachelor", "ethnicity": "汉族",
          "job": "村文书", "phone": "13900001234"}


@pytest.fixture
def sponsors(cast):
    """Two full members of 东村 (m1 and a second one) who can be 培养联系人 and 入党介绍人."""
    return [cast.m1, make_member(cast.tree.b1, "孙丽", gender="F", birth=dt.date(1980, 8, 8))]


@pytest.fixture
def new_file(cast):
    def make(**extra):
        data = {**PERSON, **extra.pop("person", {})}
        return actions.open_file(data, org=extra.pop("org", cast.tree.b1), by=extra.pop("by", cast.secretary1),
                                 applied_on=extra.pop("applied_on", D(2022, 3, 1)), **extra)
    return make


@pytest.fixture
def walk(cast, sponsors):
    """walk(file, through=n, **overrides): record steps last_step+1 .. n with GOOD data; `overrides` maps a
    step to replacement data. Returns the last (record, warnings)."""

    def run(a, through, overrides=None):
        overrides = overrides or {}
        out = None
        while a.last_step < through:
            n = a.last_step + 1
            data = dict(overrides.get(n, GOOD[n]))
            if n in (5, 9) and "people" not in data:
                data["people"] = sponsors[:1] if n == 5 else sponsors
            out = actions.record_step(a, n, data, by=by_for(cast, n, a.org))
            if n == 6 and 7 <= through:
                out = actions.record_step(a, 6, SECOND_ASSESSMENT, by=by_for(cast, 6, a.org))
            a.refresh_from_db()
        return out

    return run


def by_for(cast, n, org=None):
    """东村's secretary and the town's admin for 东村 and 西村 files; the city admin elsewhere."""
    org = org or cast.tree.b1
    if org.path.startswith(cast.tree.town.path):
        if n in actions.HIGHER_STEPS:
            return cast.town_admin
        return cast.secretary1 if org == cast.tree.b1 else cast.secretary2
    return cast.city_admin
