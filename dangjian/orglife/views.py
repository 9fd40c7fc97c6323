"""Organization-life pages: a branch's meetings and the record form; a committee's compliance grid."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules.meetings import KINDS

from . import actions
from .compliance import compliance, rate
from .models import Attendance, Meeting


@login_required
def org_meetings(request, code):
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code)
    meetings = (Meeting.objects.restrict(request.user, "view").filter(org_path__startswith=org.path)
                .select_related("org")
                .annotate(n_present=Count("attendance", filter=Q(attendance__status="present")),
                          n_attendance=Count("attendance"))
                .order_by("-held_on", "-id")[:200])
    can_record = org.is_branch and Org.objects.restrict(request.user, "change_member").filter(pk=org.pk).exists()
    return render(request, "orglife/meetings.html", {"org": org, "meetings": meetings, "can_record": can_record})


@login_required
def record(request, code):
    org = get_object_or_404(Org.objects.restrict(request.user, "change_member"), code=code,
                            org_type__in=BRANCH_TYPES)
    members = list(Member.objects.filter(org=org).active().order_by("name_pinyin", "id"))
    errors, values = {}, {"kind": "theme_day", "held_on": timezone.localdate().isoformat(), "topic": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("kind", "held_on", "topic", "place", "host", "recorder",
                                                               "minutes")}
        rows = []
        for m in members:
            status = request.POST.get(f"a_{m.pk}", "present")
            # Kept on the member for the form shown again after an error: nothing the secretary ticked is lost.
            m.form_status, m.form_reason = status, request.POST.get(f"r_{m.pk}", "").strip()
            if status in Attendance.Status.values:
                rows.append((m.pk, status, m.form_reason))
        try:
            held_on = dt.date.fromisoformat(values["held_on"])
        except ValueError:
            errors["held_on"] = "请按“2025-07-01”填写召开日期"
        else:
            try:
                actions.record_meeting(org, kind=values["kind"], held_on=held_on, topic=values["topic"],
                                       attendance=rows, by=request.user,
                                       **{k: values[k] for k in ("place", "host", "recorder", "minutes")})
            except ValidationError as e:
                errors = {k: " ".join(v) for k, v in e.message_dict.items()}
            else:
                messages.success(request, f"已录入{KINDS[values['kind']]}：{values['topic']}")
                return redirect("orglife:meetings", code=org.code)
    return render(request, "orglife/record.html", {"org": org, "members": members, "kinds": KINDS.items(),
                                                   "errors": errors, "v": values})


def _short(period: str) -> str:
    """"2025-07" -> "7月", "2025-Q3" -> "三季度", "2025" -> "全年"."""
    if "-Q" in period:
        return "一二三四"[int(period[-1]) - 1] + "季度"
    if "-" in period:
        return f"{int(period[-2:])}月"
    return "全年"


@login_required
def compliance_grid(request, code):
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    rows = compliance(org, year, today=today)
    by_branch: dict[str, dict] = {}
    for r in rows:
        b = by_branch.setdefault(r.org, {"code": r.org, "name": r.org_name, "reqs": {}, "missed": 0})
        req = b["reqs"].setdefault(r.requirement, {"label": KINDS[r.requirement], "hard": r.hard, "cells": []})
        r.short = _short(r.period)
        req["cells"].append(r)
        b["missed"] += r.status == "missed"
    for b in by_branch.values():
        b["reqs"] = list(b["reqs"].values())
    branches = sorted(by_branch.values(), key=lambda b: (-b["missed"], b["code"]))
    r = rate(rows)
    return render(request, "orglife/compliance.html", {
        "org": org, "year": year, "branches": branches, "rate": None if r is None else round(r * 100, 1),
        "kinds": KINDS, "years": range(today.year, today.year - 4, -1)})
