"""Prompts about members, run once a day by `dangjian member_reminders`.

- 流动党员 away at a relatively fixed place for 6 months or more (党员教育管理工作条例 第二十五条): the home
  branch's managers (grants made on the branch itself) are prompted to transfer the organization relationship.
- 疑似失联 members (no attendance and no dues for 6 months): the branch's managers are asked to follow up,
  once a month while the member stays on the list.

Set-based: one query per list (the same queries as the pages, run with an unrestricted scope), one for the
grants. Notices go out through the channels of settings.DANGJIAN_MEMBER_NOTICE_CHANNELS (default: in-app); a
channel is a class with `send(notices: list[MemberNotice]) -> int`, like orglife's reminder channels.
"""

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from dangjian.accounts.models import Grant

from . import queries
from .models import MemberNotice, NoticeKind

DEFAULT_CHANNELS = ["dangjian.members.reminders.InAppChannel"]
# The jobs read the whole platform: a scope that covers everything, like a superuser's.
_EVERYTHING = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, pk=None)


class InAppChannel:
    """Stores the notices shown on the 流动党员 and 失联党员 pages; an existing (user, key) is left alone."""

    def send(self, notices: list[MemberNotice]) -> int:
        before = MemberNotice.objects.count()
        MemberNotice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=2000)
        return MemberNotice.objects.count() - before


def channels() -> list:
    return [import_string(p)() for p in getattr(settings, "DANGJIAN_MEMBER_NOTICE_CHANNELS", DEFAULT_CHANNELS)]


def build(today: dt.date) -> list[MemberNotice]:
    """The notices due on `today` (unsaved)."""
    user = SimpleNamespace(**vars(_EVERYTHING))
    due = list(queries.transfer_due(user, today).values_list("pk", "since", "destination", "member_id",
                                                             "member__name", "member__org_path"))
    lost = list(queries.lost_contact_candidates(user, today).values_list("pk", "name", "org_path"))
    paths = {row[5] for row in due} | {row[2] for row in lost}
    if not paths:
        return []
    managers = defaultdict(set)
    for user_id, path in (Grant.objects.filter(org__path__in=paths, role__in=["secretary", "admin"])
                          .values_list("user_id", "org__path")):
        managers[path].add(user_id)
    out = []
    mobile_url = reverse("members:mobile_list") + "?tab=transfer"
    for pk, since, dest, member_id, name, path in due:
        title = f"{name}自{since:%Y-%m-%d}在{dest}，外出已满6个月且地点相对固定，应转移组织关系"
        out += [MemberNotice(user_id=u, member_id=member_id, kind=NoticeKind.TRANSFER_DUE, title=title[:300],
                             url=mobile_url, key=f"transfer_due:{pk}") for u in managers[path]]
    lost_url = reverse("members:lost_contact")
    for member_id, name, path in lost:
        title = f"{name}近6个月既无组织生活出勤记录也无党费交纳记录，请尽快联系并记录跟进情况"
        out += [MemberNotice(user_id=u, member_id=member_id, kind=NoticeKind.LOST_CONTACT, title=title[:300],
                             url=lost_url, key=f"lost_contact:{member_id}:{today:%Y-%m}") for u in managers[path]]
    return out


def run(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    notices = build(today)
    sent = {type(c).__name__: c.send(notices) for c in channels()}
    return {"date": today.isoformat(), "transfer_due": sum(n.kind == NoticeKind.TRANSFER_DUE for n in notices),
            "lost_contact": sum(n.kind == NoticeKind.LOST_CONTACT for n in notices), "sent": sent}
