"""Organization-life pages: a branch's meetings and the record form; a committee's compliance grid."""

import calendar as _cal
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from dangjian.core.scope import scope_for
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.orgs.queries import branch_counts, scope_roots
from dangjian.rules import records
from dangjian.rules.base import value
from dangjian.rules.meetings import KINDS

from . import actions, queries
from .compliance import compliance, rate, rates_from_tallies, tallies
from .models import VOTE_KIND_CHOICES, Attendance, Filing, Meeting, MeetingAttachment, Plan, Reminder
from .queries import DUAL_KINDS, dual_life

# Above this many branches the start page links to the grid instead of computing a subtree's rate in the request.
INDEX_RATE_MAX_BRANCHES = 2000


@login_required
def index(request):
    """组织生活: where a secretary or a committee office starts. Each organization at the top of the user's scope,
    with this year's compliance (the rate of finished requirement-periods, and for a branch what is missed or
    still due now) and the links to its pages. A plain member goes to 我的组织生活."""
    user = request.user
    scope = scope_for(user)
    if not (scope.everything or scope.prefixes("view")):
        if scope.self_members:
            return redirect("orglife:mine")
        raise Http404
    today = timezone.localdate()
    roots = list(scope_roots(user, "view").order_by("path")[:INDEX_MAX_ROOTS])
    branches = branch_counts(roots)
    writable = {o.pk for o in Org.objects.restrict(user, "change_member").filter(pk__in=[o.pk for o in roots])}
    cards = []
    for org in roots:  # a user holds a handful of grants: bounded by INDEX_MAX_ROOTS
        n = branches.get(org.pk, 0)
        card = {"org": org, "branches": n, "can_record": org.is_branch and org.pk in writable, "rate": None,
                "open": [], "too_big": n > INDEX_RATE_MAX_BRANCHES}
        if n and not card["too_big"]:
            rows = compliance(org, today.year, today=today)
            card["rate"] = _pct(rate(rows))
            card["missed"] = sum(r.status == "missed" for r in rows)
            if org.is_branch:
                card["open"] = [dict(label=KINDS[r.requirement], period=_short(r.period), held=r.held,
                                     required=r.required, status=r.status, hard=r.hard)
                                for r in rows if r.status != "ok"]
        cards.append(card)
    unread = Reminder.objects.filter(user=user, read_at__isnull=True).count()
    return render(request, "orglife/index.html", {"cards": cards, "year": today.year, "unread": unread,
                                                  "more": len(roots) == INDEX_MAX_ROOTS})


INDEX_MAX_ROOTS = 20


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
def meeting_detail(request, pk):
    """One meeting with its attendance and votes. A plain member sees their branch's meetings (restrict)."""
    meeting = get_object_or_404(Meeting.objects.restrict(request.user, "view").select_related("org", "created_by"),
                                pk=pk)
    return _meeting_page(request, meeting)


# The members a correction may add to a meeting's list, at most (a branch has far fewer).
ADDABLE_LIMIT = 500


def _meeting_page(request, meeting, *, errors: dict | None = None, status: int = 200):
    attendance = list(meeting.attendance.select_related("member").order_by("status", "member__name_pinyin"))
    counts = {s: sum(a.status == s for a in attendance) for s in Attendance.Status.values}
    can_edit = Meeting.objects.restrict(request.user, "change_member").filter(pk=meeting.pk).exists()
    corrections = list(meeting.corrections.select_related("member", "by"))
    addable = []
    if can_edit:
        addable = list(Member.objects.filter(org=meeting.org, status="normal", joined_on__lte=meeting.held_on)
                       .exclude(pk__in=[a.member_id for a in attendance]).order_by("name_pinyin")[:ADDABLE_LIMIT])
    return render(request, "orglife/meeting.html", {
        "m": meeting, "org": meeting.org, "attendance": attendance, "counts": counts,
        "votes": list(meeting.votes.all()), "attachments": list(meeting.attachments.all()), "can_edit": can_edit,
        "categories": MeetingAttachment.Category.choices, "max_mb": value(records.ATTACHMENT_MAX_MB),
        "corrections": corrections, "corrected": {c.member_id for c in corrections}, "addable": addable,
        "fix_errors": errors or {}, "fix": request.POST if errors else {},
        "statuses": Attendance.Status.choices}, status=status)


@login_required
@require_POST
def correct_attendance(request, pk):
    """更正出勤: one member's status on a recorded meeting, with the reason; kept and shown on the meeting page."""
    meeting = get_object_or_404(Meeting.objects.restrict(request.user, "change_member").select_related("org"), pk=pk)
    member = request.POST.get("member", "")
    if not member.isdigit():
        return _meeting_page(request, meeting, errors={"member": ["请选择党员"]}, status=400)
    try:
        c = actions.correct_attendance(meeting, int(member), status=request.POST.get("status", ""),
                                       reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
                                       by=request.user)
    except ValidationError as e:
        return _meeting_page(request, meeting, errors=e.message_dict, status=400)
    messages.success(request, f"已更正{c.member.name}的出勤：{c.old_label} → {c.new_label}")
    return redirect("orglife:meeting", pk=meeting.pk)


@login_required
@require_POST
def attach(request, pk):
    meeting = get_object_or_404(Meeting.objects.restrict(request.user, "change_member"), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的照片或 PDF 文件")
    else:
        try:
            actions.add_attachment(meeting, upload, category=request.POST.get("category", "photo"), by=request.user)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, f"已上传：{upload.name}")
    return redirect("orglife:meeting", pk=meeting.pk)


def _attachment(request, pk, att_pk, action):
    meeting = get_object_or_404(Meeting.objects.restrict(request.user, action), pk=pk)
    return get_object_or_404(MeetingAttachment.objects.select_related("meeting"), pk=att_pk, meeting=meeting)


@login_required
def attachment(request, pk, att_pk):
    """The file itself, to whoever may see the meeting: never from a public media URL."""
    att = _attachment(request, pk, att_pk, "view")
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    resp = FileResponse(fh, content_type=att.content_type, filename=att.name,
                        as_attachment=not (att.is_image or att.content_type == "application/pdf"))
    # Even a PDF with scripts cannot act as this site.
    resp["Content-Security-Policy"] = "sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
@require_POST
def detach(request, pk, att_pk):
    att = _attachment(request, pk, att_pk, "change_member")
    actions.remove_attachment(att, by=request.user)
    messages.success(request, f"已删除附件：{att.name}")
    return redirect("orglife:meeting", pk=pk)


@login_required
def mine(request):
    """我的组织生活: a member's own attendance over the year — their branch's meetings with their status, and any
    meeting elsewhere they were recorded at (e.g. before a transfer). Only the member's own rows are read."""
    member = Member.objects.filter(user=request.user).select_related("org").first()
    if member is None:
        raise Http404("您的账号没有关联党员信息")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    mine_year = queries.my_year(request.user, member, year)
    todays = queries.todays_checkins(request.user, member)
    return render(request, "orglife/mine.html", {
        "member": member, "year": year, "meetings": mine_year.meetings, "summary": mine_year.summary,
        "todays": todays, "unrecorded": mine_year.unrecorded, "prev_year": year - 1,
        "next_year": year + 1 if year < today.year else None})


VOTE_ROWS = 3  # blank vote rows on the form; a congress rarely takes more votes than this in one sitting
VOTE_NUMBERS = {"eligible": "应到", "present": "实到", "yes": "赞成", "no": "反对", "abstain": "弃权",
                "written_yes": "书面赞成意见"}


def _votes_from_post(post) -> tuple[list[dict], list[dict], list[str]]:
    """(votes for the action, rows to show the form again, errors) from the form's vote rows; blank rows are skipped."""
    votes, shown, errors = [], [], []
    for i in range(1, VOTE_ROWS + 1):
        row = {"subject": post.get(f"v{i}_subject", "").strip(), "kind": post.get(f"v{i}_kind", "general")}
        row.update({k: post.get(f"v{i}_{k}", "").strip() for k in VOTE_NUMBERS})
        shown.append({**row, "nums": [(k, label, row[k]) for k, label in VOTE_NUMBERS.items()]})
        if not row["subject"] and not any(row[k] for k in VOTE_NUMBERS):
            continue
        vote = {"subject": row["subject"], "kind": row["kind"]}
        for k, label in VOTE_NUMBERS.items():
            if not row[k]:
                vote[k] = None
            elif row[k].isdigit():
                vote[k] = int(row[k])
            else:
                errors.append(f"第{len(votes) + 1}项表决：{label}须填写整数（现为“{row[k]}”）")
        votes.append(vote)
    return votes, shown, errors


@login_required
def record(request, code):
    org = get_object_or_404(Org.objects.restrict(request.user, "change_member"), code=code,
                            org_type__in=BRANCH_TYPES)
    members = list(Member.objects.filter(org=org).active().order_by("name_pinyin", "id"))
    errors, values = {}, {"kind": "theme_day", "held_on": timezone.localdate().isoformat(), "topic": ""}
    vote_rows = [{"kind": "general", "nums": [(k, label, "") for k, label in VOTE_NUMBERS.items()]}
                 for _ in range(VOTE_ROWS)]
    # Recording a filed meeting: the filing's fields fill the form, and the filing is closed with the record.
    raw_filing = request.POST.get("filing") or request.GET.get("filing") or ""
    filing = (Filing.objects.restrict(request.user, "change_member")
              .filter(pk=raw_filing, org=org, status=Filing.Status.FILED).first() if raw_filing.isdigit() else None)
    if filing is not None:
        values = {"kind": filing.kind, "held_on": min(filing.planned_on, timezone.localdate()).isoformat(),
                  "topic": filing.topic, "place": filing.place}
        checked_in = set(filing.checkins.values_list("member_id", flat=True))
        if checked_in:
            # Those who checked in were there; the others start as absent for the secretary to correct (请假).
            for m in members:
                m.form_status = "present" if m.pk in checked_in else "absent"
    if request.method == "POST":
        votes, vote_rows, vote_errors = _votes_from_post(request.POST)
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
        if vote_errors:
            errors["votes"] = " ".join(vote_errors)
        if not errors:
            try:
                meeting = actions.record_meeting(org, kind=values["kind"], held_on=held_on, topic=values["topic"],
                                       attendance=rows, votes=votes, filing=filing, by=request.user,
                                       **{k: values[k] for k in ("place", "host", "recorder", "minutes")})
            except ValidationError as e:
                errors = {k: " ".join(v) for k, v in e.message_dict.items()}
            else:
                messages.success(request, f"已录入{KINDS[values['kind']]}：{values['topic']}。可以在下面上传会议照片和签到表")
                return redirect("orglife:meeting", pk=meeting.pk)
    return render(request, "orglife/record.html", {"org": org, "members": members, "kinds": KINDS.items(),
                                                   "errors": errors, "v": values, "vote_rows": vote_rows,
                                                   "vote_kinds": VOTE_KIND_CHOICES, "filing": filing})


def _short(period: str) -> str:
    """"2025-07" -> "7月", "2025-Q3" -> "三季度", "2025" -> "全年"."""
    if "-Q" in period:
        return "一二三四"[int(period[-1]) - 1] + "季度"
    if "-" in period:
        return f"{int(period[-2:])}月"
    return "全年"


CELL_CLASS = {"ok": "text-bg-success", "missed": "text-bg-danger", "due": "text-bg-warning"}


def _cells_html(rows) -> str:
    """One requirement's period badges ("7月 1/1", red/green/amber). Built here rather than in the template: a city's
    grid draws about 3,500 of them, which the template engine took ~150 ms to render."""
    return format_html_join(" ", '<span class="badge {} fw-normal" title="{}：应{}次，实{}次">{} {}/{}</span>',
                            ((CELL_CLASS[r.status], r.period, r.required, r.held, _short(r.period), r.held,
                              r.required) for r in rows))


@login_required
def compliance_grid(request, code):
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    # Branches are ranked on their tallies alone; rows are built for the shown ones only (a city: 100,000 rows).
    counted = tallies(org, year, today=today)
    rates = rates_from_tallies(org, counted)
    missed = {t.code: t.missed for t in counted}
    shown_ids = [t.id for t in sorted(counted, key=lambda t: (-t.missed, t.code))[:GRID_MAX_BRANCHES]]
    by_branch: dict[str, dict] = {}
    for r in compliance(org, year, today=today, org_ids=shown_ids):
        b = by_branch.get(r.org)
        if b is None:
            b = by_branch[r.org] = {"code": r.org, "name": r.org_name, "reqs": {}, "missed": missed[r.org],
                                    "rate": _pct(rates.get(r.org, {}).get("rate"))}
        req = b["reqs"].setdefault(r.requirement, {"label": KINDS[r.requirement], "hard": r.hard, "cells": []})
        req["cells"].append(r)
    for b in by_branch.values():
        b["reqs"] = list(b["reqs"].values())
        for req in b["reqs"]:
            req["cells"] = _cells_html(req["cells"])
    shown = sorted(by_branch.values(), key=lambda b: (-b["missed"], b["code"]))
    # Drill down: the organizations directly below with branches under them, weakest first.
    children = sorted((dict(v, pct=_pct(v["rate"])) for v in rates.values()
                       if v["depth"] == org.depth + 1 and v["code"] not in missed),
                      key=lambda v: (v["rate"] if v["rate"] is not None else 2, v["code"]))
    finished = sum(t.finished for t in counted)
    r = sum(t.met for t in counted) / finished if finished else None
    return render(request, "orglife/compliance.html", {
        "org": org, "year": year, "branches": shown, "hidden": len(missed) - len(shown), "children": children,
        "rate": _pct(r), "kinds": KINDS, "years": range(today.year, today.year - 4, -1)})


# A grid of every branch of a province would be unreadable and slow: beyond this many, the weakest are shown
# and the committees below lead to the rest.
GRID_MAX_BRANCHES = 100


def _pct(r):
    return None if r is None else round(r * 100, 1)


# --- yearly plan, advance filings and the committee's calendar ------------------------------------------------

def _year(request, default: int) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= default + 1 else default


PLAN_BLANK_ROWS = 3  # empty rows under the plan for additions; saving adds more as needed


@login_required
def plan(request, code):
    """A branch's plan for a year: the saved one, or a suggestion that meets every requirement until one is saved."""
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code, org_type__in=BRANCH_TYPES)
    can_edit = Org.objects.restrict(request.user, "change_member").filter(pk=org.pk).exists()
    today = timezone.localdate()
    year = _year(request, today.year)
    saved = Plan.objects.filter(org=org, year=year).prefetch_related("items").first()
    errors: list[str] = []
    if saved is not None:
        items = [{"kind": i.kind, "planned_on": i.planned_on, "topic": i.topic} for i in saved.items.all()]
    else:
        items = actions.suggest_plan(org, year)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        items, errors = _plan_rows(request.POST)
        if not errors:
            try:
                actions.save_plan(org, year, items, by=request.user)
            except ValidationError as e:
                errors = [m for msgs in e.message_dict.values() for m in msgs]
            else:
                messages.success(request, f"{year}年组织生活计划已保存（{len(items)}项）")
                return redirect(f"{reverse('orglife:plan', args=[org.code])}?year={year}")
    gaps = actions.plan_gaps(org, year, [i for i in items if isinstance(i.get("planned_on"), dt.date)])
    rows = [*items, *({"kind": "", "planned_on": "", "topic": ""} for _ in range(PLAN_BLANK_ROWS if can_edit else 0))]
    for r in rows:
        r["fileable"] = isinstance(r["planned_on"], dt.date) and r["planned_on"] >= today
    return render(request, "orglife/plan.html", {
        "org": org, "year": year, "saved": saved, "rows": rows, "gaps": actions.grouped_gaps(gaps), "errors": errors,
        "can_edit": can_edit,
        "kinds": KINDS.items(), "years": range(today.year + 1, today.year - 3, -1)})


def _plan_rows(post) -> tuple[list[dict], list[str]]:
    """Plan rows from the form (k<i>, d<i>, t<i>; x<i> removes one); blank rows are skipped."""
    items, errors = [], []
    n = int(post.get("rows", "0")) if post.get("rows", "0").isdigit() else 0
    for i in range(min(n, 500)):
        kind, day, topic = (post.get(f"{p}{i}", "").strip() for p in "kdt")
        if post.get(f"x{i}") or not (kind or day or topic):
            continue
        try:
            planned_on = dt.date.fromisoformat(day)
        except ValueError:
            errors.append(f"第{len(items) + 1}项：请按“2025-07-01”填写计划日期")
            planned_on = day
        items.append({"kind": kind, "planned_on": planned_on, "topic": topic})
    return items, errors


@login_required
def file_meeting(request, code):
    """预约报备: a secretary files an upcoming meeting with the committee above (fields may come from a plan item)."""
    org = get_object_or_404(Org.objects.restrict(request.user, "change_member"), code=code,
                            org_type__in=BRANCH_TYPES)
    fields = ("kind", "planned_on", "start_time", "place", "topic")
    source = request.POST if request.method == "POST" else request.GET
    values = {k: source.get(k, "").strip() for k in fields}
    values["kind"] = values["kind"] or "theme_day"
    errors = {}
    if request.method == "POST":
        try:
            planned_on = dt.date.fromisoformat(values["planned_on"])
        except ValueError:
            errors["planned_on"] = "请按“2025-07-01”填写召开日期"
        try:
            start_time = dt.time.fromisoformat(values["start_time"]) if values["start_time"] else None
        except ValueError:
            errors["start_time"] = "请按“14:30”填写开始时间"
        if not errors:
            try:
                f = actions.file_meeting(org, kind=values["kind"], planned_on=planned_on, start_time=start_time,
                                         place=values["place"], topic=values["topic"], by=request.user)
            except ValidationError as e:
                errors = {k: " ".join(v) for k, v in e.message_dict.items()}
            else:
                note = "（晚于规定的提前天数，标记为临时报备）" if f.short_notice else ""
                messages.success(request, f"已报备{f.get_kind_display()}：{f.planned_on:%Y-%m-%d}{note}")
                return redirect(f"{reverse('orglife:calendar', args=[org.code])}?month={f.planned_on:%Y-%m}")
    return render(request, "orglife/file.html", {"org": org, "v": values, "errors": errors, "kinds": KINDS.items(),
                                                 "advance_days": value(records.FILING_ADVANCE_DAYS)})


@login_required
def calendar(request, code):
    """The filings of a subtree for one month: a calendar on wide screens, a list by day on phones."""
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code)
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    filings = list(Filing.objects.restrict(request.user, "view")
                   .filter(org_path__startswith=org.path, planned_on__gte=first, planned_on__lte=last)
                   .select_related("org").order_by("planned_on", "start_time", "id"))
    scope = scope_for(request.user)
    for f in filings:
        # From the user's scope, not a query per row: the committee above checks, the branch's managers write.
        f.can_check = scope.covers(f.org_path[: -Org.steplen], "change_member")
        f.can_write = scope.covers(f.org_path, "change_member")
    by_day: dict[dt.date, list] = {}
    for f in filings:
        by_day.setdefault(f.planned_on, []).append(f)
    weeks = [[(d, d.month == first.month, by_day.get(d, [])) for d in week]
             for week in _cal.Calendar().monthdatescalendar(first.year, first.month)]
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    return render(request, "orglife/calendar.html", {
        "org": org, "first": first, "weeks": weeks, "days": sorted(by_day.items()), "today": today,
        "count": len(filings), "spot": sum(f.spot_check for f in filings), "prev": f"{prev_month:%Y-%m}",
        "next": f"{last + dt.timedelta(days=1):%Y-%m}",
        "can_file": org.is_branch and scope.covers(org.path, "change_member")})


def _filing(request, pk, scope_action="view"):
    return get_object_or_404(Filing.objects.restrict(request.user, scope_action).select_related("org"), pk=pk)


def _back_to_calendar(request, f):
    back = request.POST.get("next", "")
    if back.startswith("/orglife/"):
        return redirect(back)
    return redirect(f"{reverse('orglife:calendar', args=[f.org.code])}?month={f.planned_on:%Y-%m}")


@login_required
@require_POST
def spot_check(request, pk):
    f = _filing(request, pk)
    if not actions.may_spot_check(request.user, f):
        raise Http404
    on = request.POST.get("on") == "1"
    actions.mark_spot_check(f, on=on, note=request.POST.get("note", ""), by=request.user)
    messages.success(request, f"{'已标记抽查' if on else '已取消抽查'}：{f.org.name} {f.get_kind_display()}")
    return _back_to_calendar(request, f)


@login_required
@require_POST
def cancel_filing(request, pk):
    f = _filing(request, pk, "change_member")
    try:
        actions.cancel_filing(f, reason=request.POST.get("reason", ""), by=request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"已取消报备：{f.get_kind_display()} {f.planned_on:%Y-%m-%d}")
    return _back_to_calendar(request, f)


# --- check-in from a phone (扫码签到) ----------------------------------------------------------------------------

@login_required
def checkin(request, token):
    """The page a member's phone opens from the QR code: who, what, when, and one button."""
    filing = actions.filing_for_token(token)
    if filing is None:
        raise Http404("签到码无效")
    member = Member.objects.filter(user=request.user, org_id=filing.org_id).first()
    done = member is not None and filing.checkins.filter(member=member).exists()
    error = ""
    if request.method == "POST" and not done:
        if member is None:
            error = f"您不是“{filing.org.name}”的党员，无需在此签到"
        else:
            try:
                actions.check_in(filing, member)
            except ValidationError as e:
                error = "；".join(e.messages)
            else:
                messages.success(request, f"签到成功：{filing.topic}")
                return redirect("orglife:checkin", token=token)
    opens, closes = actions.checkin_window(filing)
    now = timezone.now()
    return render(request, "orglife/checkin.html", {
        "f": filing, "member": member, "done": done, "error": error, "opens": opens,
        "is_open": opens <= now < closes and filing.status == Filing.Status.FILED})


@login_required
def filing_qr(request, pk):
    """The QR code a secretary shows or prints for the meeting, with who has checked in so far."""
    import segno

    f = _filing(request, pk, "change_member")
    url = request.build_absolute_uri(reverse("orglife:checkin", args=[actions.checkin_token(f)]))
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    checkins = list(f.checkins.select_related("member").order_by("at"))
    total = Member.objects.filter(org_id=f.org_id).active().count()
    return render(request, "orglife/filing_qr.html", {"f": f, "org": f.org, "url": url, "svg": svg,
                                                      "checkins": checkins, "total": total,
                                                      "opens": actions.checkin_window(f)[0]})


# --- reminders ----------------------------------------------------------------------------------------------

@login_required
def reminder_list(request):
    """The user's own organization-life reminders (written by `dangjian orglife_reminders`), unread first."""
    mine = Reminder.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("orglife:reminders")
    items = list(mine.select_related("org").order_by(F("read_at").desc(nulls_first=True), "-created_at")[:200])
    return render(request, "orglife/reminders.html", {"items": items,
                                                      "unread": sum(r.read_at is None for r in items)})


@login_required
def dual(request, code):
    """双重组织生活: the leaders of a subtree's committees in their own branches' meetings."""
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), code=code)
    today = timezone.localdate()
    year = _year(request, today.year)
    return render(request, "orglife/dual.html", {
        "org": org, "year": year, "rows": dual_life(org, year), "kinds": [KINDS[k] for k in DUAL_KINDS],
        "years": range(today.year, today.year - 4, -1)})
