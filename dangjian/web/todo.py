"""待我处理: the things waiting for the logged-in user across the modules, as counts with a link, for the home page.

Each count comes through the module's own scoped query (`restrict` underneath), so a secretary sees what
their branch must do and a committee office what waits for its approval. The number of queries is fixed: one per
kind, or one per module where kinds share a table (发展党员 overdue and due soon; the 重大事项 of the organization
itself and of those below it), as conditional counts of one query. Checks whose cost grows with the members in scope
(疑似失联: two anti-joins per member) run only for scopes up to SMALL_SCOPE_MEMBERS members — larger ones follow the
link to the list itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from dangjian.disclosure import queries as disclosure
from dangjian.members import queries as members
from dangjian.orglife.models import Reminder
from dangjian.recruitment import queries as recruitment
from dangjian.recruitment.models import OPEN_STAGES
from dangjian.rules import disclosure as disclosure_rules
from dangjian.rules.base import value
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

    def add(label, qs_or_count, url, urgent=False):
        n = qs_or_count if isinstance(qs_or_count, int) else qs_or_count.count()
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
    # 重大事项 (随时公开): the organization that must publish sees its own overdue and soon-due matters, the
    # committee above the overdue ones of its subtree (as the reminders tell them); one query for the three.
    matters = disclosure.matter_todo(user, today)
    matters_url = reverse("disclosure:matters")
    add("重大事项逾期未公开", matters["own_overdue"], f"{matters_url}?state=overdue", urgent=True)
    add("下级重大事项逾期未公开", matters["below_overdue"], f"{matters_url}?state=overdue", urgent=True)
    add(f"重大事项{int(value(disclosure_rules.REMINDER_LEAD_DAYS))}天内应公开", matters["own_due"], matters_url)
    soon = Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=30))
    files = recruitment.files(user).filter(stage__in=OPEN_STAGES).aggregate(
        overdue=Count("pk", filter=Q(next_due_on__lt=today)), soon=Count("pk", filter=soon))
    add("发展党员已超期", files["overdue"], reverse("recruitment:index"), urgent=True)
    add("发展党员30天内到期", files["soon"], reverse("recruitment:index"))
    add("流动党员应转移组织关系", members.transfer_due(user, today), reverse("members:mobile_list"))
    if members_in_scope <= SMALL_SCOPE_MEMBERS:
        add("疑似失联党员", members.lost_contact_candidates(user, today), reverse("members:lost_contact"))
    items.sort(key=lambda t: not t.urgent)  # stable: within each group, the order above
    return items
