"""Reminders about organization life (事前提醒 and 逾期提醒), run once a day by `dangjian orglife_reminders`.

- A branch's secretaries (and admins granted on the branch itself) hear, REMINDER_LEAD_DAYS before a period
  ends, that a requirement of that period is not met yet.
- The committee directly above (admins granted on the branch's parent) hears when a period ended unmet.

Set-based: one compliance run per root organization (one GROUP BY over meetings), one query for the branches'
paths, one for the grants; reminders go out through the channels in settings.DANGJIAN_REMINDER_CHANNELS
(default: in-app only). A channel is a class with `send(reminders: list[Reminder]) -> int`; SMS or WeChat Work
can be added as channels without touching this module. Keys make a second run on the same day a no-op.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from dangjian.accounts.models import Grant
from dangjian.orgs.models import Org
from dangjian.rules import meetings as rules
from dangjian.rules import records
from dangjian.rules.base import value

from .compliance import compliance
from .models import Reminder

DEFAULT_CHANNELS = ["dangjian.orglife.reminders.InAppChannel"]
# A period that ended unmet is reported while it is this recent; older ones were reported when they ended.
MISSED_LOOKBACK_DAYS = 31


class InAppChannel:
    """Stores the reminders for the reminders page; an existing (user, key) is left alone."""

    def send(self, reminders: list[Reminder]) -> int:
        before = Reminder.objects.count()
        Reminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=2000)
        return Reminder.objects.count() - before


def channels() -> list:
    return [import_string(path)() for path in getattr(settings, "DANGJIAN_REMINDER_CHANNELS", DEFAULT_CHANNELS)]


def _when(period: str) -> str:
    if "-Q" in period:
        return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
    if "-" in period:
        return f"{period[:4]}年{int(period[5:])}月"
    return f"{period}年"


def build(today: dt.date) -> list[Reminder]:
    """The reminders due on `today` (unsaved)."""
    lead = value(records.REMINDER_LEAD_DAYS)
    years = {today.year} | ({today.year - 1} if today.timetuple().tm_yday <= MISSED_LOOKBACK_DAYS else set())
    rows = []
    for root in Org.objects.filter(depth=1):
        for year in sorted(years):
            for r in compliance(root, year, today=today):
                last = rules.period_bounds(r.period)[1]
                if r.status == "due" and (last - today).days < lead:
                    rows.append(("due", r, last))
                elif r.status == "missed" and (today - last).days <= MISSED_LOOKBACK_DAYS:
                    rows.append(("missed", r, last))
    if not rows:
        return []
    branches = {code: (pk, path) for pk, code, path in
                Org.objects.filter(code__in={r.org for _, r, _ in rows}).values_list("pk", "code", "path")}
    paths = {path for _, path in branches.values()} | {path[: -Org.steplen] for _, path in branches.values()}
    grants = defaultdict(set)  # org path -> {(user id, role)} of the grants made on exactly that organization
    for user_id, role, path in (Grant.objects.filter(org__path__in=paths, role__in=["secretary", "admin"])
                                .values_list("user_id", "role", "org__path")):
        grants[path].add((user_id, role))
    out = []
    for kind, r, last in rows:
        pk, path = branches[r.org]
        name = rules.KINDS[r.requirement]
        soft = "" if r.hard else "（一般要求）"
        if kind == "due":
            users = {u for u, _role in grants[path]}
            days = (last - today).days
            title = (f"{r.org_name}：{_when(r.period)}{name}应至少{r.required}次，已开{r.held}次，"
                     f"{'今天' if days == 0 else f'{days}天后'}到期{soft}")
            url = reverse("orglife:record", args=[r.org])
        else:
            users = {u for u, role in grants[path[: -Org.steplen]] if role == "admin"}
            title = f"{r.org_name}：{_when(r.period)}{name}应至少{r.required}次，实开{r.held}次，未按期召开{soft}"
            url = reverse("orglife:meetings", args=[r.org])
        key = f"{kind}:{r.org}:{r.requirement}:{r.period}"
        out += [Reminder(user_id=u, org_id=pk, kind=kind, requirement=r.requirement, period=r.period,
                         title=title[:300], url=url, key=key) for u in users]
    return out


def run(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    reminders = build(today)
    sent = {type(c).__name__: c.send(reminders) for c in channels()}
    return {"date": today.isoformat(), "due": sum(r.kind == "due" for r in reminders),
            "missed": sum(r.kind == "missed" for r in reminders), "sent": sent}
