"""三务公开 for the demo city: what a village's public page (/gk/{code}/) looks like when it keeps its catalogue.

The villages of secretary1's township and about a third of the others publish this year's items of the default
catalogue through the disclosure actions (draft → review where the catalogue asks for it → published): the
branch's 班子, the quarter's 三会一课 and 党费 figures taken from the demo's own meetings and dues, village
decisions, and the last three months' finance tables whose totals add up. The other villages publish nothing, so
the committee's overdue list has something to show. secretary1's village also has a corrected finance table, a
villager's question answered in public, an objection still waiting, and 小微权力 cases at different steps, and
three registered major matters (重大事项, published 随时): one published in time, one overdue for the township's
list, one still within its days. Deterministic for a seed and reference date.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from dangjian.disclosure import actions
from dangjian.disclosure.models import CatalogEntry, DisclosureItem, Review
from dangjian.dues.models import DuesMonthTotal
from dangjian.micropower import actions as mp_actions
from dangjian.micropower.models import Power
from dangjian.orglife.models import Meeting
from dangjian.orgs.models import CommitteeMember, Org
from dangjian.rules import disclosure as rules
from dangjian.rules.base import value
from dangjian.rules.meetings import KINDS, period_bounds

INCOME = [("上级转移支付", 18000, 42000), ("集体资产租赁收入", 3000, 16000), ("村级公益事业一事一议奖补", 0, 20000),
          ("集体经营性收入", 2000, 12000)]
EXPENSE = [("村干部误工补贴", 8000, 14000), ("办公费（水电、纸张）", 600, 2400), ("道路和水渠维护", 0, 15000),
           ("环境卫生保洁", 1500, 4000), ("困难群众慰问", 0, 3000), ("党员活动经费", 300, 1500)]
DECISIONS = ["村道硬化工程实施方案（经村民代表会议表决通过）", "村集体山林承包续签方案", "农村人居环境整治积分兑换办法",
             "村级光伏项目收益分配方案", "饮水安全提升工程选址"]
APPLICANTS = ["张建国", "李秀英", "王德福", "刘桂兰", "陈志强", "杨春梅"]


def _villages(focus: Org) -> list[Org]:
    """Village- and community-level organizations (directly under a township or street committee): all of the
    focus township's and a deterministic third of the others."""
    committees = set(Org.objects.filter(org_type="committee").values_list("path", flat=True))
    out = []
    for i, org in enumerate(Org.objects.filter(domain__in=["rural", "community"])
                            .exclude(org_type="committee").order_by("path")):
        parent = org.path[: -Org.steplen]
        if parent not in committees:
            continue
        if parent == focus.path[: -Org.steplen] or i % 3 == 0:
            out.append(org)
    return out


def _entry(org: Org, title_part: str) -> CatalogEntry | None:
    return CatalogEntry.objects.applying_to(org).filter(title__contains=title_part).first()


def _period_fields(period: str) -> dict:
    first, last = period_bounds(period)
    if len(period) == 4:
        label = f"{period}年"
    elif "Q" in period:
        label = _quarter_label(period)
    else:
        label = f"{first.year}年{first.month}月"
    return {"period_start": first, "period_end": last, "period_label": label}


def _publish(org, entry, data: dict, *, lines=None, by, reviewer, on: dt.date) -> object:
    """Draft, then the review the catalogue entry asks for, then publication; dated `on` (the demo is loaded
    today, but a village published its September table in early October)."""
    data = {**_period_fields(data["period"]), **data}
    if entry is None:  # the catalogue does not bind this organization: an item outside it has no period
        data = {k: v for k, v in data.items() if k != "period"}
    item = actions.create_draft(org, {**data, "catalog_entry": entry.pk if entry else None}, lines=lines, by=by)
    if entry is not None and entry.review != Review.NONE:
        actions.submit(item, by=by)
        item = actions.approve(item, note="内容属实，同意公开", by=reviewer, publish_now=True)
    else:
        item = actions.publish(item, by=by)
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0)))
    DisclosureItem.objects.filter(pk=item.pk).update(published_at=at)
    item.published_at = at
    return item


def _soon(rng, after: dt.date, today: dt.date) -> dt.date:
    """A publication date a few days after a period ended (never after today)."""
    return min(after + dt.timedelta(days=rng.randrange(2, 12)), today)


def _quarter_label(q: str) -> str:
    return f"{q[:4]}年第{q[-1]}季度"


def _finance_lines(rng) -> tuple[list[dict], Decimal, Decimal]:
    lines = []
    for item, lo, hi in INCOME:
        amount = Decimal(rng.randrange(lo, hi + 1, 50)) if hi else Decimal(0)
        if amount:
            lines.append({"kind": "income", "item": item, "amount": str(amount), "note": ""})
    for item, lo, hi in EXPENSE:
        amount = Decimal(rng.randrange(lo, hi + 1, 10)) + Decimal(rng.randrange(0, 100)) / 100
        if amount >= 1:
            lines.append({"kind": "expense", "item": item, "amount": str(amount), "note": ""})
    income = sum((Decimal(ln["amount"]) for ln in lines if ln["kind"] == "income"), Decimal("0.00"))
    expense = sum((Decimal(ln["amount"]) for ln in lines if ln["kind"] == "expense"), Decimal("0.00"))
    return lines, income, expense


def _meetings_body(org: Org, quarter: str) -> str:
    first, last = period_bounds(quarter)
    counts = dict(Meeting.objects.filter(org_path__startswith=org.path, held_on__gte=first, held_on__lte=last)
                  .values_list("kind").annotate(n=Count("id")).order_by())
    rows = "".join(f"<li>{KINDS[k]}：{counts[k]}次</li>" for k in KINDS if counts.get(k))
    return f"<p>{_quarter_label(quarter)}，{org.name}组织生活开展情况如下：</p><ul>{rows or '<li>本季度未开展</li>'}</ul>"


def _dues_body(org: Org, quarter: str) -> str:
    first, last = period_bounds(quarter)
    t = DuesMonthTotal.objects.filter(org__path__startswith=org.path,
                                      month__gte=first, month__lte=last).aggregate(due=Sum("due"), paid=Sum("paid"))
    due, paid = t["due"] or Decimal("0"), t["paid"] or Decimal("0")
    rate = f"{paid * 100 / due:.1f}%" if due else "—"
    return (f"<p>{_quarter_label(quarter)}党费收缴情况：应交 {due:.2f} 元，实交 {paid:.2f} 元，收缴率 {rate}。"
            "党费全部按规定上缴上级党委组织部门，本支部未留存使用。</p>")


def load_disclosure(seed: int, today: dt.date, focus: Org, users: dict) -> dict:
    rng = random.Random(f"disclosure-{seed}")
    secretary, reviewer = users.get("secretary1"), users.get("town_admin")
    year = today.year
    last_quarter = f"{year}-Q{(today.month - 1) // 3}" if today.month > 3 else None
    months = [dt.date(year, m, 1) for m in range(max(1, today.month - 3), today.month)]
    n_items = 0
    finance_items = {}
    for org in _villages(focus):
        by = secretary if org.pk == focus.pk else None
        seats = CommitteeMember.objects.filter(term__org=org, ended_on__isnull=True).order_by("position", "id")
        roster = "".join(f"<li>{cm.get_position_display()}：{cm.name}{('（' + cm.duty + '）') if cm.duty else ''}</li>"
                         for cm in seats)
        _publish(org, _entry(org, "班子成员及分工"), {
            "category": "party", "title": f"{year}年{org.name}设置及班子成员分工", "period": str(year),
            "body": f"<p>{org.name}现有党员{org.subtree_total}名。班子成员及分工：</p><ul>{roster or '<li>书记空缺，由上级党组织指派人员主持工作</li>'}</ul>"},
            by=by, reviewer=reviewer, on=_soon(rng, dt.date(year, 1, 1), today))
        n_items += 1
        if last_quarter:
            _publish(org, _entry(org, "三会一课"), {
                "category": "party", "title": f"{_quarter_label(last_quarter)}三会一课和主题党日开展情况",
                "period": last_quarter, "body": _meetings_body(org, last_quarter)}, by=by, reviewer=reviewer,
                on=_soon(rng, period_bounds(last_quarter)[1], today))
            _publish(org, _entry(org, "党费收缴"), {
                "category": "party", "title": f"{_quarter_label(last_quarter)}党费收缴情况", "period": last_quarter,
                "body": _dues_body(org, last_quarter)}, by=by, reviewer=reviewer,
                on=_soon(rng, period_bounds(last_quarter)[1], today))
            decision = rng.choice(DECISIONS)
            _publish(org, _entry(org, "决定事项"), {
                "category": "village", "title": f"{_quarter_label(last_quarter)}村民代表会议决定事项", "period": last_quarter,
                "body": f"<p>本季度召开村民代表会议1次，应到代表{rng.randrange(21, 35)}人，实到代表过三分之二。"
                        f"会议表决通过：{decision}。实施情况：已按方案组织实施，进度和资金使用情况将在财务公开中列明。</p>"},
                by=by, reviewer=reviewer, on=_soon(rng, period_bounds(last_quarter)[1], today))
            n_items += 3
        for month in months:
            lines, income, expense = _finance_lines(rng)
            item = _publish(org, _entry(org, "集体财务收支明细"), {
                "category": "finance", "title": f"{month.year}年{month.month}月村级财务收支明细",
                "period": f"{month:%Y-%m}",
                "body": "<p>本月收支已经村务监督委员会审核，原始凭证存村委会备查。</p>",
                "declared_income": str(income), "declared_expense": str(expense)}, lines=lines, by=by, reviewer=reviewer,
                on=_soon(rng, period_bounds(f"{month:%Y-%m}")[1], today))
            finance_items[(org.pk, month)] = item
            n_items += 1
    extras = _focus_extras(rng, today, focus, months, finance_items, secretary)
    extras["major_matters"] = _major_matters(today, focus, secretary, reviewer)
    return {"disclosure_items": n_items, **extras}


def _major_matters(today: dt.date, focus: Org, secretary, reviewer) -> int:
    """secretary1's village registers its major matters: a 四议两公开 decision published three days after the vote,
    a 发展党员 公示 forgotten past its deadline (the township's overdue list shows it) and a decision of two days
    ago still in time. No random draws: the rest of the demo stays as it was for a seed."""
    major = _entry(focus, "四议两公开")
    recruit = _entry(focus, "发展党员公示")
    if major is None or recruit is None:
        return 0
    days = int(value(rules.MAJOR_WITHIN_DAYS))
    road = actions.register_matter(focus, {
        "catalog_entry": major, "occurred_on": today - dt.timedelta(days=20),
        "title": "村道硬化工程（三组段）实施方案经村民代表会议表决通过"}, by=secretary)
    item = actions.create_draft(focus, {
        "title": "村道硬化工程（三组段）实施方案表决结果公示", "catalog_entry": major, "matter": road,
        "body": "<p>经村党组织提议、村“两委”会议商议、党员大会审议，村民代表会议表决通过村道硬化工程（三组段）"
                "实施方案：全长1.2公里，预算28万元，资金来源为上级“一事一议”奖补和村集体收入。</p>"
                "<p>实施结果将在完工后另行公开。如有异议，请在公示期内向村务监督委员会反映。</p>"}, by=secretary)
    actions.submit(item, by=secretary)
    item = actions.approve(item, note="内容属实，同意公开", by=reviewer, publish_now=True)
    at = timezone.make_aware(dt.datetime.combine(min(road.occurred_on + dt.timedelta(days=3), today), dt.time(9)))
    DisclosureItem.objects.filter(pk=item.pk).update(published_at=at)
    actions.register_matter(focus, {
        "catalog_entry": recruit, "occurred_on": today - dt.timedelta(days=days + 7),
        "title": "确定2名入党积极分子为发展对象（支部委员会研究决定）",
        "note": "应公示发展对象的基本情况，公示期5个工作日"}, by=secretary)
    actions.register_matter(focus, {
        "catalog_entry": major, "occurred_on": today - dt.timedelta(days=2),
        "title": "村集体山林承包续签方案经村民代表会议表决通过"}, by=secretary)
    return 3


def _focus_extras(rng, today, focus: Org, months, finance_items: dict, secretary) -> dict:
    """secretary1's village: a correction, villagers' questions, 小微权力 cases."""
    out = {"corrections": 0, "questions": 0, "micropower_cases": 0}
    if len(months) >= 2 and (focus.pk, months[-2]) in finance_items:
        old = finance_items[(focus.pk, months[-2])]
        lines = [{"kind": ln.kind, "item": ln.item, "amount": str(ln.amount), "note": ln.note} for ln in old.lines.all()]
        lines.append({"kind": "expense", "item": "道路和水渠维护（补记漏登的材料费）", "amount": "860.00", "note": "凭证补入"})
        expense = sum((Decimal(ln["amount"]) for ln in lines if ln["kind"] == "expense"), Decimal("0.00"))
        new = actions.correct(old, {"declared_expense": str(expense)}, lines=lines,
                              note="补记漏登的一笔材料费支出，支出合计相应更正", by=secretary)
        DisclosureItem.objects.filter(pk=new.pk).update(
            published_at=timezone.make_aware(dt.datetime.combine(today, dt.time(9, 30))))
        out["corrections"] = 1
    if months and (focus.pk, months[0]) in finance_items:
        item = finance_items[(focus.pk, months[0])]
        q = actions.ask(item, kind="question", body="道路和水渠维护这笔支出具体修的是哪一段？", phone="13907311234")
        actions.answer(q, text="修的是村东头到三组的机耕道和两段灌溉水渠，共约800米，验收单已存村委会，欢迎查看。",
                       public=True, by=secretary)
        latest = finance_items.get((focus.pk, months[-1]))
        if latest is not None:
            actions.ask(latest, kind="objection", body="本月误工补贴比上月多，请说明原因。", phone="13574219876")
        out["questions"] = 2
    powers = {p.name: p for p in Power.objects.applying_to(focus)}
    plans = [("低保申请", "低保申请（家庭成员患重病）", 3), ("宅基地审批", "新建住房宅基地申请", None),
             ("村级工程项目", "村道硬化工程（三组段）", 2)]
    for n, (power_name, subject, done_steps) in enumerate(plans):
        power = powers.get(power_name) or next((p for name, p in powers.items() if power_name[:2] in name), None)
        if power is None:
            continue
        opened = today - dt.timedelta(days=60 - 15 * n)
        case = mp_actions.open_case(focus, power, {"subject": subject, "applicant": APPLICANTS[n],
                                                   "opened_on": opened}, by=secretary)
        steps = list(case.steps.order_by("position"))
        upto = len(steps) if done_steps is None else min(done_steps, len(steps))
        day = opened
        for step in steps[:upto]:
            day = min(day + dt.timedelta(days=rng.randrange(2, 8)), today)
            mp_actions.record_step(case, step.position, done_on=day, responsible=step.responsible or "村民委员会",
                                   by=secretary)
        out["micropower_cases"] += 1
    return out
