"""The exports of the member lists other than the roster itself: each member's template columns (so the
file imports again), then what the list shows about them."""

from __future__ import annotations

from dangjian.core import idcard
from dangjian.members.choices import Status
from dangjian.members.models import FollowUpOutcome

from .export import Ledger

_OUTCOME = dict(FollowUpOutcome.choices)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


MOBILE = Ledger("流动党员", member_of=lambda r: r.member, extra=[
    ("所在党支部", 24, lambda r, show: r.member.org.name),
    ("外出地点", 20, lambda r, show: r.destination),
    ("外出日期", 12, lambda r, show: r.since),
    ("地点相对固定", 8, lambda r, show: _yes_no(r.fixed_place)),
    ("外出期间联系方式", 16, lambda r, show: r.contact if show else idcard.mask_phone(r.contact)),
    ("流动党员活动证编号", 16, lambda r, show: r.certificate_no),
    ("流入地党组织", 24, lambda r, show: r.receiving_display),
    ("返回（结束）日期", 12, lambda r, show: r.ended_on),
    ("结束原因", 16, lambda r, show: r.end_reason),
])

LOST_CONTACT = Ledger("失联党员", extra=[
    ("所在党支部", 24, lambda m, show: m.org.name),
    ("失去联系日期", 12, lambda m, show: m.lost_contact_on),
    ("最近联系日期", 12, lambda m, show: getattr(m, "last_contacted_on", None)),
    ("最近联系结果", 10, lambda m, show: _OUTCOME.get(getattr(m, "last_outcome", None) or "", "")),
    ("停止党籍日期", 12, lambda m, show: m.status_changed_on if m.status == Status.SUSPENDED else None),
])
