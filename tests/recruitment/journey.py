"""A recruitment file walked through the 25 steps on a calendar that keeps every rule, by the right hands:
the branch secretary for the branch's steps, the town 党委's admin for the 党委's (备案, 预审, 审批).
Plain functions, so the browser tests can build files too."""

import datetime as dt

from dangjian.core import idcard
from dangjian.recruitment import actions

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



def walk_to(cast, a, through, sponsors, overrides=None):
    """Record steps last_step+1 .. through with GOOD data (two assessments at step 6); returns the last
    (record, warnings)."""
    overrides = overrides or {}
    out = None
    while a.last_step < through:
        n = a.last_step + 1
        data = dict(overrides.get(n, GOOD[n]))
        if n in (5, 9) and "people" not in data:
            data["people"] = sponsors[:1] if n == 5 else sponsors
        out = actions.record_step(a, n, data, by=by_for(cast, n, a.org))
        if n == 6 and through >= 7:
            out = actions.record_step(a, 6, SECOND_ASSESSMENT, by=by_for(cast, 6, a.org))
        a.refresh_from_db()
    return out


def by_for(cast, n, org=None):
    """东村's secretary and the town's admin for 东村 and 西村 files; the city admin elsewhere."""
    org = org or cast.tree.b1
    if org.path.startswith(cast.tree.town.path):
        if n in actions.HIGHER_STEPS:
            return cast.town_admin
        return cast.secretary1 if org == cast.tree.b1 else cast.secretary2
    return cast.city_admin
