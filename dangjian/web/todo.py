"""待我处理: the things waiting for the logged-in user across the modules, as counts with a link, for the home page.

Each count is one query through the module's own scoped query (`restrict` underneath), so a secretary sees what
their branch must do and a committee office what waits for its approval. The number of queries is fixed (one per
kind); checks whose cost grows with the members in scope (疑似失联: two anti-joins per member) run only for scopes
up to SMALL_SCOPE_MEMBERS members — larger ones follow the link to the list itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from dangjian.disclosure import queries as disclosure
from dangjian.members import queries as members
from dangjian.orglife.models import Reminder
from dangjian.recruitment import queries as recruitment
from dangjian.recruitment.models import OPEN_STAGES
from dangjian.transfers import queries as transfers

SMALL_SCOPE_MEMBERS = 20_000


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    urgent: bool = False  # overdue or awaiting a decision: shown red


def todo_items(user, today: dt.date, *, members_in_scope: int, can_view: bool) -> list[Todo]:
    """What waits for `user`, only the kinds with something in them, urgent first."""
    items: list[Todo] = []

    def add(label, qs, url, urgent=False):
        n = qs.count()
        if n:
            items.append(Todo(label, n, url, urgent))

    add("组织生活提醒未读", Reminder.objects.filter(user=user, read_at__isnull=True), reverse("orglife:reminders"))
    if not can_view:
        return items
    add("组织关系转接待审批", transfers.to_approve(user), reverse("transfers:todo"), urgent=True)
    add("组织关系转接待接收", transfers.to_accept(user), reverse("transfers:todo"), urgent=True)
    add("组织关系转接已超期", transfers.overdue(user, today), reverse("transfers:todo"), urgent=True)
    add("党籍变更待审批", members.cases_to_approve(user), reverse("members:cases"), urgent=True)
    add("三务公开待审核", disclosure.reviewable(user), reverse("disclosure:reviews"), urgent=True)
    open_files = recruitment.files(user).filter(stage__in=OPEN_STAGES)
    add("发展党员已超期", open_files.filter(next_due_on__lt=today), reverse("recruitment:index"), urgent=True)
    add("发展党员30天内到期", open_files.filter(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=30)),
        reverse("recruitment:index"))
    add("流动党员应转移组织关系", members.transfer_due(user, today), reverse("members:mobile_list"))
    if members_in_scope <= SMALL_SCOPE_MEMBERS:
        add("疑似失联党员", members.lost_contact_candidates(user, today), reverse("members:lost_contact"))
    items.sort(key=lambda t: not t.urgent)  # stable: within each group, the order above
    return items
