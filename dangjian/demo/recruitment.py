"""发展党员 files for the demo city: a dozen applicants at every stage, four of them in secretary1's branch, and
the year's plans of that branch's committee and of the city.

Written through recruitment.actions (so every rule is kept, the 预备党员 are created by members.actions and
every step is audited), on a calendar that keeps every time rule and is shifted to end shortly before the
reference date. Deterministic for a seed and reference date; a dozen files keep `dangjian demo` fast.
"""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import idcard
from dangjian.members.choices import Category
from dangjian.orgs.models import OrgType
from dangjian.recruitment import actions

from . import names

# One calendar that keeps the rules (the tests' journey), as days after the application: month-based rules
# hold wherever it is shifted (talk 19 days, activist year 369 days, probation 367 days …).
_BASE = dt.date(2022, 3, 1)
_CALENDAR = {
    2: dt.date(2022, 3, 20), 3: dt.date(2022, 9, 1), 4: dt.date(2022, 9, 10), 5: dt.date(2022, 9, 15),
    6: dt.date(2023, 2, 20), 7: dt.date(2023, 9, 5), 8: dt.date(2023, 9, 10), 9: dt.date(2023, 9, 12),
    10: dt.date(2023, 10, 1), 11: dt.date(2023, 10, 15), 12: dt.date(2023, 11, 1), 13: dt.date(2023, 11, 10),
    14: dt.date(2023, 11, 15), 15: dt.date(2023, 12, 1), 16: dt.date(2023, 12, 10), 17: dt.date(2024, 1, 10),
    18: dt.date(2024, 1, 20), 19: dt.date(2024, 2, 1), 20: dt.date(2024, 2, 5), 21: dt.date(2024, 6, 1),
    22: dt.date(2024, 11, 20), 23: dt.date(2024, 12, 2), 24: dt.date(2025, 1, 10), 25: dt.date(2025, 2, 1),
}
OFFSET = {n: (d - _BASE).days for n, d in _CALENDAR.items()}
SECOND_ASSESSMENT = (dt.date(2023, 8, 20) - _BASE).days
# Where the files stand: the first four in secretary1's branch.
TARGETS = (2, 7, 14, 22, 1, 3, 6, 11, 15, 17, 20, 25)
EDUCATIONS = ("bachelor", "college", "high_school", "vocational", "postgraduate")
JOBS = ("村民", "村文书", "种植户", "返乡创业青年", "教师", "社区网格员", "企业职工", "个体工商户")
DOCS = {10: "政审〔{y}〕{n}号", 13: "预审〔{y}〕{n}号", 14: "入党志愿书 {n:07d}", 17: "审批〔{y}〕{n}号",
        24: "转正审批〔{y}〕{n}号"}


def _data(n: int, applied: dt.date, rng: random.Random, full: list, k: int) -> dict:
    on = applied + dt.timedelta(days=OFFSET[n])
    data = {"on": on}
    if n in DOCS:
        data["document_no"] = DOCS[n].format(y=on.year, n=rng.randrange(1, 9999) if n != 14 else 100000 + k)
    if n == 2:
        data["handled_by"] = full[0].name
    if n == 5:
        data["people"] = full[:1]
    if n == 9:
        data["people"] = full[:2]
    if n == 11:
        data["training_days"] = 3
    if n in (15, 23):
        eligible = max(len(full), 3)
        present = eligible - rng.randrange(0, max(1, eligible // 5))
        data.update(eligible=eligible, present=present, yes=present)
        if n == 23:
            data["outcome"] = "convert"
    return data


def _date_history(a, applied: dt.date) -> None:
    """The registry's versions carry the dates they stand for (入党 at the 支部大会, 转正 at its approval), as the
    rest of the demo's history does, so "as of" questions about past dates see these members right."""
    from dangjian.members.models import Member

    from .loader import _at

    dates = [applied + dt.timedelta(days=OFFSET[15]), applied + dt.timedelta(days=OFFSET[24])]
    rows = list(Member.history.filter(id=a.member_id).order_by("history_id"))
    for row, when in zip(rows, dates, strict=False):
        row.history_date = _at(when)
    Member.history.bulk_update(rows, ["history_date"])


def load_recruitment(seed: int, today: dt.date, orgs: list, members_by_org: dict, by, focus) -> dict:
    """Files in `focus` (secretary1's branch) and in other branches with two full members. Returns the number
    of files and of members the 支部大会 steps added to the registry."""
    rng = random.Random(f"recruitment-{seed}")
    branches = [o for o in orgs if o.org_type in (OrgType.BRANCH, OrgType.JOINT_BRANCH)]
    fulls = {o.pk: [m for m in members_by_org.get(o.pk, []) if m.category == Category.FULL] for o in branches}
    eligible = [o for o in sorted(branches, key=lambda o: o.code) if len(fulls[o.pk]) >= 2 and o.pk != focus.pk]
    homes = [focus] * 4 + rng.sample(eligible, min(len(eligible), len(TARGETS) - 4))
    made, admitted = 0, []
    for k, (target, org) in enumerate(zip(TARGETS, homes, strict=False)):
        full = fulls[org.pk]
        # The last step done falls 10–40 days before the reference date.
        applied = today - dt.timedelta(days=OFFSET.get(target, 0) + rng.randrange(10, 40))
        if target == 1:
            applied = today - dt.timedelta(days=rng.choice((12, 45)))  # one with the talk still due, one overdue
        sex = rng.choice("MF")
        birth = dt.date(today.year - rng.randrange(22, 36), rng.randrange(1, 13), rng.randrange(1, 29))
        person = {"name": names.person_name(rng, sex, birth), "gender": sex,
                  "id_number": idcard.make("370112", birth, 801 + 2 * k + (0 if sex == "M" else 1)),
                  "education": rng.choice(EDUCATIONS), "job": rng.choice(JOBS), "phone": names.phone(rng)}
        try:
            with transaction.atomic():  # a file is loaded whole or not at all
                a = actions.open_file(person, org=org, by=by, applied_on=applied, document_no=f"申请书 {k + 1:03d}")
                for n in range(2, target + 1):
                    actions.record_step(a, n, _data(n, applied, rng, full, k), by=by)
                    if n == 6 and target >= 7:
                        actions.record_step(a, 6, {"on": applied + dt.timedelta(days=SECOND_ASSESSMENT)}, by=by)
                    a.refresh_from_db()
        except ValidationError:
            continue  # e.g. the generated ID number is already a member's: leave this one out
        made += 1
        if target >= 15:
            admitted.append(a.member)
            _date_history(a, applied)
    parent = focus.parent_org()
    for org, planned in ((parent, 3), (focus, 1)):
        if org is not None:
            actions.set_plan(org, today.year, planned, by=by, note="演示数据")
    return {"files": made, "members": len(admitted), "admitted": admitted}
