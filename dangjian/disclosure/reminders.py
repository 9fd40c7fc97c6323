"""Disclosure reminders, run daily by `dangjian disclosure_reminders`, through the orglife reminder channels.

- Before a catalogue period's deadline (rules.disclosure.REMINDER_LEAD_DAYS), the organization's own managers
  (secretaries and admins granted on it) hear what they still have to publish.
- After the deadline, the admins of the committee directly above hear which organization is overdue.
- Major matters (catalogue entries published 随时) have no period: a registered matter (待公开事项) is due
  rules.disclosure.MAJOR_WITHIN_DAYS after the day it occurred, and is reminded about the same two ways.

Set-based: one `queries.missing` statement per root organization and kind (and one matter query per kind); one
query for the grants. The
reminders are orglife.models.Reminder rows (the page /orglife/reminders/ lists them) sent through
settings.DANGJIAN_REMINDER_CHANNELS; keys make a second run on the same day a no-op.
"""

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Grant
from dangjian.orglife.models import Reminder
from dangjian.orglife.reminders import channels
from dangjian.orgs.models import Org
from dangjian.rules import disclosure as rules
from dangjian.rules.base import value

from . import queries

# An overdue period is reported while its deadline is this recent (a daily run reports it once by key).
OVERDUE_LOOKBACK_DAYS = 31


def _when(period: str) -> str:
    if "-Q" in period:
        return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
    if "-" in period:
        return f"{period[:4]}年{int(period[5:])}月"
    return f"{period}年"


def build(today: dt.date) -> list[Reminder]:
    lead = int(value(rules.REMINDER_LEAD_DAYS))
    years = sorted({today.year, today.year - 1})
    due, late = [], []
    for root in Org.objects.filter(depth=1):
        for year in years:
            due += queries.missing(root, queries._periods(year, today, due_within=lead), limit=None)[0]
            rows = queries.missing(root, queries._periods(year, today), limit=None)[0]
            late += [r for r in rows if (today - r["deadline"]).days <= OVERDUE_LOOKBACK_DAYS]
        # Major matters (随时公开) follow the day they occurred, not a period.
        due += queries.matters_due(root, today, lead)
        rows = queries.overdue_matters(root, None, today, limit=None)[0]
        late += [r for r in rows if (today - r["deadline"]).days <= OVERDUE_LOOKBACK_DAYS]
    if not due and not late:
        return []
    paths = {r["org_path"] for r in due} | {r["org_path"][: -Org.steplen] for r in late}
    grants = defaultdict(set)  # org path -> {(user id, role)} granted on exactly that organization
    for user_id, role, path in (Grant.objects.filter(org__path__in=paths, role__in=["secretary", "admin"])
                                .values_list("user_id", "role", "org__path")):
        grants[path].add((user_id, role))
    out = []
    for kind, rows in (("due", due), ("missed", late)):
        for r in rows:
            matter = r.get("matter_id")
            # What is owed: "2025年第一季度“…”" for a period, "“…”（3月2日发生）" for a major matter.
            what = (f"“{r['matter_title']}”（{r['occurred_on'].month}月{r['occurred_on'].day}日发生，{r['entry_title']}）" if matter
                    else f"{_when(r['period'])}“{r['entry_title']}”")
            if kind == "due":
                users = {u for u, _role in grants[r["org_path"]]}
                days = (r["deadline"] - today).days
                title = (f"{r['org_name']}：{what}尚未公开，"
                         f"{'今天' if days == 0 else f'{days}天后'}截止（{r['deadline']:%m月%d日}）")
                url = reverse("disclosure:create") + f"?org={r['org_code']}&entry={r['entry_id']}" + (
                    f"&matter={matter}" if matter else f"&period={r['period']}")
            else:
                users = {u for u, role in grants[r["org_path"][: -Org.steplen]] if role == "admin"}
                title = f"{r['org_name']}：{what}逾期未公开（应于{r['deadline']:%Y-%m-%d}前公开）"
                url = reverse("disclosure:overdue") + f"?org={r['org_code']}"
            key = f"gk-{kind}:{r['org_code']}:{r['entry_id']}:" + (f"m{matter}" if matter else r["period"])
            period = r["occurred_on"].isoformat() if matter else r["period"]
            out += [Reminder(user_id=u, org_id=r["org_id"], kind=kind, requirement="", period=period,
                             title=title[:300], url=url, key=key[:120]) for u in users]
    return out


def run(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    reminders = build(today)
    sent = {type(c).__name__: c.send(reminders) for c in channels()}
    return {"date": today.isoformat(), "due": sum(r.kind == "due" for r in reminders),
            "missed": sum(r.kind == "missed" for r in reminders), "sent": sent}
