"""Dues pages: the member's own (/dues/me/), a branch's (/dues/org/<code>/), a committee's report
(/dues/report/<code>/ and its .xlsx).

Reads start from restrict / queries.org_for (grants only: a member reads just their own dues); writes
need WRITE_ACTION over the branch and go through actions.py. Out of scope answers 404.
"""

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org

from . import actions, queries
from . import arrears as dues_arrears
from .forms import BaseForm, MonthPaymentForm, PaymentForm, ReminderForm, ReportForm, ReverseForm
from .models import WRITE_ACTION, DuesBase, DuesLedger, DuesPayment
from .months import first_of, label

RECENT_PAYMENTS = 20
REPORT_ARREARS_SHOWN = 200  # the report page lists the longest runs; the Excel export has them all


def _year(request) -> int:
    try:
        y = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return y if 2008 <= y <= 2100 else timezone.localdate().year


# ---------------------------------------------------------------- index and member

@never_cache
@login_required
@require_GET
def index(request):
    scope = scope_for(request.user)
    if scope.everything:
        root = Org.get_root_nodes().first()
        if root is not None:
            return redirect("dues:report", code=root.code)
    prefixes = scope.prefixes("view")
    if prefixes:
        org = Org.objects.filter(path=prefixes[0]).first()
        if org is not None:
            return redirect("dues:org" if org.is_branch else "dues:report", code=org.code)
    if scope.self_members:
        return redirect("dues:me")
    raise Http404


@never_cache
@login_required
@require_GET
def me(request):
    """What I owe and what I paid, for a phone."""
    member = Member.objects.filter(user=request.user).select_related("org").first()
    if member is None:
        raise Http404
    year = _year(request)
    today = timezone.localdate()
    mine = queries.member_year(member, year, today)
    run = dues_arrears.of_member(member, first_of(today)) if member.status == Status.NORMAL else None
    payments = (DuesPayment.objects.restrict(request.user, "view").filter(member=member)
                .order_by("-paid_on", "-id")[:24])
    return render(request, "dues/me.html", {
        "member": member, "year": year, "grid": mine.grid, "base": queries.base_in_force(member, today),
        "pending": DuesBase.objects.filter(member=member, confirmed_at__isnull=True).order_by("-id").first(),
        "owed_total": mine.owed, "paid_total": mine.paid, "mine": mine,
        "run": run, "payments": payments, "prev_year": year - 1, "next_year": year + 1,
    })


# ---------------------------------------------------------------- branch page

def _branch(request, code, action="view") -> Org:
    org = queries.org_for(request.user, code, action)
    if not org.is_branch:
        raise Http404
    return org


def _branch_members(request, org, year, action="view"):
    """Active members of the branch, and those who left during the year (they still owed until then)."""
    return list(Member.objects.restrict(request.user, action).filter(org=org).filter(
        Q(status=Status.NORMAL) | Q(status_changed_on__gte=dt.date(year, 1, 1))).order_by("name", "id"))


def _render_branch(request, org, year, status=200, **forms):
    today = timezone.localdate()
    this_month = first_of(today)
    members = _branch_members(request, org, year)
    can_write = queries.can(request.user, org, WRITE_ACTION)
    grid = queries.year_grid(members, year)
    bases = queries.bases_in_force(members, today if year == today.year else dt.date(year, 12, 1))
    pending = queries.pending_bases(members)
    rows = [{
        "member": m, "base": bases.get(m.pk), "pending": pending.get(m.pk), "cells": grid[m.pk],
        "paid": sum((c.paid for c in grid[m.pk]), queries.ZERO),
        "owed": sum((c.owed for c in grid[m.pk] if c.month <= this_month), queries.ZERO),
    } for m in members]
    with_base = sum(1 for r in rows if r["base"])
    ledger_rows = DuesLedger.objects.filter(org=org, month=this_month).count()
    arrears = queries.arrears(org, this_month)
    ctx = {
        "org": org, "year": year, "rows": rows, "can_write": can_write, "months": range(1, 13),
        "arrears": arrears, "this_month": this_month, "this_month_label": label(this_month),
        "ledger_missing": year == today.year and with_base > ledger_rows,
        "recent": (DuesPayment.objects.restrict(request.user, "view").filter(org=org)
                   .select_related("member", "recorded_by").order_by("-id")[:RECENT_PAYMENTS]),
        "prev_year": year - 1, "next_year": year + 1, "is_current_year": year == today.year,
    }
    if can_write:
        writable = [m for m in members if m.status == Status.NORMAL]
        ctx.update({
            # the page's own grid when it shows this year (the form is shown only then)
            "month_form": forms.get("month_form") or MonthPaymentForm(
                unpaid=_unpaid_this_month(writable, this_month, grid if year == this_month.year else None)),
            "pay_form": forms.get("pay_form") or PaymentForm(members=writable),
            "base_form": forms.get("base_form") or BaseForm(members=writable),
            "reminder_form": forms.get("reminder_form") or ReminderForm(members=[a.member for a in arrears]),
            "reverse_error": forms.get("reverse_error"),
        })
    return render(request, "dues/org.html", ctx, status=status)


@never_cache
@login_required
@require_GET
def org_page(request, code):
    org = queries.org_for(request.user, code, "view")
    if not org.is_branch:
        return redirect("dues:report", code=org.code)
    return _render_branch(request, org, _year(request))


def _writable_members(request, org):
    return list(Member.objects.restrict(request.user, WRITE_ACTION).filter(org=org, status=Status.NORMAL)
                .order_by("name", "id"))


def _back(org, year=None):
    url = reverse("dues:org", args=[org.code])
    return redirect(f"{url}?year={year}" if year else url)


@login_required
@require_POST
def pay(request, code):
    org = _branch(request, code, WRITE_ACTION)
    form = PaymentForm(request.POST, members=_writable_members(request, org))
    if form.is_valid():
        d = form.cleaned_data
        try:
            rows = actions.record_payment(d["member"], months=form.months(), paid_on=d["paid_on"], method=d["method"],
                                          receipt=d["receipt"], amount=d["amount"], explanation=d["explanation"],
                                          over_limit_reason=d["over_limit_reason"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            total = sum(r.amount for r in rows)
            messages.success(request, f"已登记{d['member'].name}{len(rows)}个月党费，共{total}元")
            return _back(org, rows[0].month.year)
    return _render_branch(request, org, _year(request), status=400, pay_form=form)


def _unpaid_this_month(members, this_month, grid=None) -> list[tuple]:
    """[(member, due)] of the members whose dues of this month are owed and not paid at all, in the page's order.
    `grid`: this year's `year_grid` of (at least) these members, when the caller has read it already."""
    grid = grid if grid is not None else queries.year_grid(members, this_month.year)
    cells = [(m, grid[m.pk][this_month.month - 1]) for m in members]
    return [(m, c.due) for m, c in cells if c.state == "unpaid"]


@login_required
@require_POST
def pay_month(request, code):
    """本月交纳登记: this month's dues of the members ticked, all or none."""
    org = _branch(request, code, WRITE_ACTION)
    this_month = first_of(timezone.localdate())
    form = MonthPaymentForm(request.POST, unpaid=_unpaid_this_month(_writable_members(request, org), this_month))
    if form.is_valid():
        d = form.cleaned_data
        try:
            rows = actions.record_month_payments(d["members"], month=this_month, paid_on=d["paid_on"],
                                                 method=d["method"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"已登记{len(rows)}名党员{label(this_month)}党费，共{sum(r.amount for r in rows)}元")
            return _back(org)
    return _render_branch(request, org, this_month.year, status=400, month_form=form)


@login_required
@require_POST
def declare(request, code):
    org = _branch(request, code, WRITE_ACTION)
    form = BaseForm(request.POST, members=_writable_members(request, org))
    if form.is_valid():
        d = form.cleaned_data
        try:
            row = actions.declare_base(d["member"], from_month=d["from_month"], category=d["category"],
                                       base=d["base"] or None, farmer_amount=d["farmer_amount"] or None,
                                       note=d["note"], by=request.user, confirm=True)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"已确认{d['member'].name}自{label(row.effective_from)}起每月交纳{row.monthly_amount}元")
            return _back(org)
    return _render_branch(request, org, _year(request), status=400, base_form=form)


@login_required
@require_POST
def confirm(request, code, pk):
    org = _branch(request, code, WRITE_ACTION)
    row = get_object_or_404(DuesBase.objects.restrict(request.user, WRITE_ACTION).filter(member__org=org), pk=pk)
    try:
        actions.confirm_base(row, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"已确认{row.member.name}的党费基数")
    return _back(org)


@login_required
@require_POST
def remind(request, code):
    org = _branch(request, code, WRITE_ACTION)
    today = timezone.localdate()
    arrears = {a.member.pk: a for a in queries.arrears(org, first_of(today), min_months=1)}
    members = [m for m in _writable_members(request, org) if m.pk in arrears]
    form = ReminderForm(request.POST, members=members)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_reminder(d["member"], reminded_on=d["reminded_on"], method=d["method"],
                                    unpaid_months=arrears[d["member"].pk].unpaid_months, note=d["note"],
                                    by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"已记录对{d['member'].name}的催缴提醒")
            return _back(org)
    return _render_branch(request, org, _year(request), status=400, reminder_form=form)


@login_required
@require_POST
def reverse_view(request, code, pk):
    org = _branch(request, code, WRITE_ACTION)
    payment = get_object_or_404(DuesPayment.objects.restrict(request.user, WRITE_ACTION).filter(org=org), pk=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            actions.reverse_payment(payment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, f"已冲正{payment.member.name}{label(payment.month)}的交纳记录")
        return _back(org, payment.month.year)
    return _render_branch(request, org, _year(request), status=400,
                          reverse_error=f"冲正{payment.member.name}{label(payment.month)}：请填写冲正原因")


@login_required
@require_POST
def generate(request, code):
    org = _branch(request, code, WRITE_ACTION)
    n = actions.generate_ledger_for_month(timezone.localdate(), org=org, by=request.user)
    messages.success(request, f"已生成{label(first_of(timezone.localdate()))}应交台账{n}条")
    return _back(org)


# ---------------------------------------------------------------- report

def _period(request):
    f = ReportForm(request.GET)
    today = timezone.localdate()
    d = f.cleaned_data if f.is_valid() else {}
    year = d.get("year") or today.year
    end_default = today.month if year == today.year else 12
    start = d.get("start") or 1
    end = d.get("end") or end_default
    if end < start:
        start, end = end, start
    return year, start, end


@never_cache
@login_required
@require_GET
def report(request, code):
    org = queries.org_for(request.user, code, "view")
    year, start, end = _period(request)
    rep = queries.report(org, dt.date(year, start, 1), dt.date(year, end, 1))
    through = min(dt.date(year, end, 1), first_of(timezone.localdate()))
    arrears = dues_arrears.listing(org, through, limit=REPORT_ARREARS_SHOWN)
    return render(request, "dues/report.html", {
        "org": org, "rep": rep, "year": year, "start": start, "end": end, "months": range(1, 13),
        "arrears": arrears, "through_label": label(through), "shown": REPORT_ARREARS_SHOWN,
        "parent": org.parent_org() if org.depth > 1 else None,
    })


@never_cache
@login_required
@require_GET
def report_xlsx(request, code):
    import xlsxwriter

    org = queries.org_for(request.user, code, "view")
    year, start, end = _period(request)
    rep = queries.report(org, dt.date(year, start, 1), dt.date(year, end, 1))
    through = min(dt.date(year, end, 1), first_of(timezone.localdate()))
    arrears = queries.arrears(org, through)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": False})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "0.00"})
    pct = wb.add_format({"num_format": "0.0"})
    ws = wb.add_worksheet("收缴情况")
    ws.write_row(0, 0, [f"{org.name} {year}年{start}月至{end}月党费收缴情况"], bold)
    head = ["党组织编码", "党组织名称", "月份", "应交（元）", "实交（元）", "欠交（元）", "收缴率（%）", "应交人月数", "已交清人月数"]
    ws.write_row(2, 0, head, bold)
    r = 3
    for row in rep.rows:
        ws.write_row(r, 0, [row.org.code if row.org else "", row.org.name if row.org else "", label(row.month)])
        ws.write_number(r, 3, row.due, money)
        ws.write_number(r, 4, row.paid, money)
        ws.write_number(r, 5, row.owed, money)
        if row.rate is not None:
            ws.write_number(r, 6, row.rate, pct)
        ws.write_row(r, 7, [row.member_months, row.settled])
        r += 1
    ws.write(r, 0, "合计", bold)
    for col, v in ((3, rep.total.due), (4, rep.total.paid), (5, rep.total.owed)):
        ws.write_number(r, col, v, money)
    if rep.total.rate is not None:
        ws.write_number(r, 6, rep.total.rate, pct)
    ws.write_row(r, 7, [rep.total.member_months, rep.total.settled])
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 8, 12)
    wa = wb.add_worksheet("欠交党员")
    wa.write_row(0, 0, ["党组织", "姓名", "连续未交月数", "自", "欠交合计（元）", "处理提示", "最近提醒"], bold)
    for i, a in enumerate(arrears, start=1):
        last = a.reminders[0] if a.reminders else None
        wa.write_row(i, 0, [a.member.org.name, a.member.name, a.unpaid_months, label(a.first_unpaid)])
        wa.write_number(i, 4, a.owed, money)
        wa.write_row(i, 5, ["；".join(f.message for f in a.findings),
                            f"{last.reminded_on} {last.get_method_display()}" if last else ""])
    wa.set_column(0, 0, 28)
    wa.set_column(5, 5, 60)
    wb.close()
    audit.record("dues.report.export", actor=request.user, obj=org,
                 detail={"year": year, "start": start, "end": end, "rows": len(rep.rows), "arrears": len(arrears)})
    resp = HttpResponse(buf.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="dues-{org.code}-{year}-{start:02d}-{end:02d}.xlsx"'
    return resp
