"""Writes of organization-life records."""

import datetime as dt
from pathlib import Path

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules import meetings as rules
from dangjian.rules import quorum, records
from dangjian.rules.base import value

from .models import (
    VOTE_KIND_CHOICES,
    Attendance,
    AttendanceCorrection,
    CheckIn,
    Filing,
    Meeting,
    MeetingAttachment,
    Plan,
    PlanItem,
    Vote,
)

BRANCH_ONLY_KINDS = {"branch_congress", "branch_committee", "group_meeting", "theme_day", "democratic_review"}


@transaction.atomic
def record_meeting(org, *, kind: str, held_on: dt.date, topic: str, attendance=(), votes=(), filing=None, by=None,
                   **extra) -> Meeting:
    """Record a held meeting. `attendance` is [(member or member id, status, reason)]; every member must be an
    active member of that branch. A meeting entered long after it was held is flagged 补录.

    `filing`: the 预约报备 this meeting fulfils (same branch and kind); it is marked held.

    `votes` (支部党员大会 only) is [{"subject", "kind", "eligible", "present", "yes", "no", "abstain",
    "written_yes"}]: inconsistent counts are refused, a vote without quorum is stored and marked invalid."""
    errors = {}
    today = timezone.localdate()
    if kind not in rules.KINDS:
        errors["kind"] = f"未知的组织生活类型“{kind}”"
    if held_on is None:
        errors["held_on"] = "请填写召开日期"
    elif held_on > today:
        errors["held_on"] = "召开日期不能晚于今天（尚未召开的会议请用预约报备）"
    if not (topic or "").strip():
        errors["topic"] = "请填写会议主题"
    if kind in BRANCH_ONLY_KINDS and org.org_type not in BRANCH_TYPES:
        errors["kind"] = f"{rules.KINDS[kind]}由党支部召开，“{org.name}”是{org.get_org_type_display()}"
    if (kind == "branch_committee" and org.org_type in BRANCH_TYPES and held_on is not None
            and held_on >= rules.BRANCH_RULES_START
            and not any(r.kind == kind for r in rules.requirements_for(org.org_type, org.direct_full, True,
                                                                         on=min(held_on, today)))):
        # The rules require 支委会 only where a committee exists (7+ full members): a smaller branch has none.
        errors["kind"] = (f"“{org.name}”正式党员不足{rules.COMMITTEE_MIN_FULL_MEMBERS.value}人，不设支部委员会，"
                          "不召开支委会")
    # Members may be given as Member objects or ids.
    rows = [(getattr(m, "pk", m), s, r) for m, s, r in attendance]
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        errors["attendance"] = "出勤名单中有重复的党员"
    elif ids:
        found = set(Member.objects.filter(pk__in=ids, org=org, status="normal").values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            errors["attendance"] = f"党员（编号 {', '.join(map(str, missing))}）不是“{org.name}”的在册党员"
    statuses = {s for s in Attendance.Status.values}
    if any(r[1] not in statuses for r in rows):
        errors["attendance"] = "出勤状态只能是 present（出席）、leave（请假）、absent（缺席）"
    attended = sum(1 for r in rows if r[1] == Attendance.Status.PRESENT) if rows else None
    checked, vote_errors = _check_votes(kind, list(votes), attended)
    if vote_errors:
        errors["votes"] = vote_errors
    if filing is not None and (filing.org_id != org.pk or filing.kind != kind or filing.status != "filed"):
        errors["filing"] = "只能为本支部同类型、尚未召开的报备录入会议记录"
    if errors:
        raise ValidationError(errors)
    late = (today - held_on).days > value(records.LATE_ENTRY_DAYS)
    meeting = Meeting.objects.create(org=org, org_path=org.path, kind=kind, held_on=held_on, topic=topic.strip(),
                                     late_entry=late, created_by=by if getattr(by, "is_authenticated", False) else None,
                                     **{k: v for k, v in extra.items() if k in {"place", "host", "recorder", "minutes"}})
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=m, status=s, reason=(r or "") if s == "leave" else "") for m, s, r in rows])
    if filing is not None:
        # The filing is now held: the committee's calendar links to the record.
        Filing.objects.filter(pk=filing.pk, status=Filing.Status.FILED).update(status=Filing.Status.HELD, meeting=meeting)
    for v in checked:
        v.meeting = meeting
    Vote.objects.bulk_create(checked)
    audit.record("meeting.create", actor=by, obj=meeting,
                 detail={"kind": kind, "held_on": str(held_on), "attendance": len(rows), "late_entry": late,
                         "votes": len(checked), "invalid_votes": sum(not v.valid for v in checked),
                         "filing": getattr(filing, "pk", None)})
    return meeting


@transaction.atomic
def correct_attendance(meeting: Meeting, member, *, status: str, reason: str = "", note: str, by=None
                       ) -> AttendanceCorrection:
    """Correct one member's attendance of a recorded meeting (更正): `status` present/leave/absent, or "" to take a
    member listed by mistake off the list. A member missing from the list may be added if they are a member of the
    branch in good standing who had joined the party by the meeting's day. Every correction needs its reason and is
    kept (AttendanceCorrection) and audited; the meeting's date, kind and votes are not touched."""
    errors = {}
    note = (note or "").strip()
    reason = (reason or "").strip() if status == Attendance.Status.LEAVE else ""
    if not note:
        errors["note"] = "请填写更正原因"
    elif len(note) > 200:
        errors["note"] = "更正原因不能超过200字"
    if len(reason) > 200:
        errors["reason"] = "请假原因不能超过200字"
    if status not in ("", *Attendance.Status.values):
        errors["status"] = "出勤状态只能是出席、请假、缺席，或“不应列入”"
    member_id = getattr(member, "pk", member)
    row = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
    person = Member.objects.filter(pk=member_id).first()
    if person is None:
        errors["member"] = "党员不存在"
    elif row is None:
        if status == "":
            errors["status"] = f"{person.name}不在这次会议的出勤名单中"
        elif person.org_id != meeting.org_id or person.status != "normal":
            errors["member"] = f"{person.name}不是“{meeting.org.name}”的在册党员，不能补列入出勤名单"
        elif person.joined_on > meeting.held_on:
            errors["member"] = f"{person.name}的入党日期（{person.joined_on:%Y-%m-%d}）在会议之后，不能列入出勤名单"
    elif (row.status, row.reason) == (status, reason):
        errors["status"] = f"{person.name}的出勤没有变化"
    if errors:
        raise ValidationError(errors)
    old_status, old_reason = (row.status, row.reason) if row is not None else ("", "")
    rows = Attendance.objects.filter(meeting=meeting, member_id=member_id)
    if row is None:
        Attendance.objects.create(meeting=meeting, member_id=member_id, held_on=meeting.held_on, status=status,
                                  reason=reason)
    elif status == "":
        rows.delete()
    else:
        rows.update(status=status, reason=reason)
    correction = AttendanceCorrection.objects.create(
        meeting=meeting, member_id=member_id, old_status=old_status, new_status=status, old_reason=old_reason,
        new_reason=reason, note=note, by=by if getattr(by, "is_authenticated", False) else None)
    audit.record("meeting.attendance.correct", actor=by, obj=meeting,
                 detail={"member": member_id, "old": old_status, "new": status, "note": note})
    return correction


VOTE_KINDS = dict(VOTE_KIND_CHOICES)
VOTE_COUNTS = ("eligible", "present", "yes", "no", "abstain", "written_yes")


def _check_votes(kind: str, votes: list[dict], attended: int | None) -> tuple[list[Vote], list[str]]:
    """Unsaved Vote rows with the quorum verdict, or the Chinese reasons why the figures cannot be right.

    Figures that cannot be true (more ballots than people present, more present than eligible) are errors; a vote
    that is merely without quorum or not passed is a fact of the meeting and is kept with its verdict."""
    if not votes:
        return [], []
    if kind != "branch_congress":
        return [], [f"只有{rules.KINDS['branch_congress']}录入表决结果，{rules.KINDS.get(kind, kind)}不录入"]
    out, errors = [], []
    for i, v in enumerate(votes, 1):
        label = f"第{i}项表决"
        subject = (v.get("subject") or "").strip()
        vote_kind = v.get("kind") or "general"
        if not subject:
            errors.append(f"{label}：请填写表决事项")
            continue
        if vote_kind not in VOTE_KINDS:
            errors.append(f"{label}：表决类型“{vote_kind}”无效，可选：{'、'.join(VOTE_KINDS)}")
            continue
        counts = {k: v.get(k) if v.get(k) is not None else 0 for k in VOTE_COUNTS}
        if v.get("eligible") is None or v.get("present") is None or v.get("yes") is None:
            errors.append(f"{label}：请填写应到、实到和赞成人数")
            continue
        try:
            result = quorum.vote_result(**counts, kind=vote_kind)
        except ValueError as e:
            errors.append(f"{label}：{e}")
            continue
        if attended is not None and counts["present"] > attended:
            errors.append(f"{label}：实到会有表决权人数（{counts['present']}）多于出勤名单中的出席人数（{attended}）")
            continue
        out.append(Vote(kind=vote_kind, subject=subject[:200], **counts, valid=result.valid_meeting,
                        passed=bool(result.passed), reasons=list(result.reasons), warnings=list(result.warnings)))
    return out, errors


# Extension -> (content type, leading bytes of such a file). The bytes are checked too: a renamed executable or
# HTML page must not be served as a "photo".
ATTACHMENT_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}


@transaction.atomic
def add_attachment(meeting: Meeting, upload, *, category: str = "photo", by=None) -> MeetingAttachment:
    """Attach a photo (JPG, PNG, WEBP) or a PDF scan to a meeting record, within the local size and count limits."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    name = Path(upload.name or "").name[:200] or "附件"
    ext = Path(name).suffix.lower()
    max_mb = value(records.ATTACHMENT_MAX_MB)
    if category not in MeetingAttachment.Category.values:
        raise ValidationError({"category": f"材料类型“{category}”无效"})
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError({"file": "附件只能是照片（JPG、PNG、WEBP）或 PDF 扫描件"})
    if upload.size == 0:
        raise ValidationError({"file": "附件是空文件"})
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError({"file": f"附件不能超过{max_mb}MB（此文件 {upload.size / 1024 / 1024:.1f}MB）"})
    limit = value(records.ATTACHMENTS_PER_MEETING)
    if meeting.attachments.count() >= limit:
        raise ValidationError({"file": f"每次会议最多上传{limit}个附件"})
    content_type, magics = ATTACHMENT_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics) or (ext == ".webp" and head[8:12] != b"WEBP"):
        raise ValidationError({"file": f"文件内容与扩展名{ext}不符，请上传真实的照片或 PDF 文件"})
    att = MeetingAttachment(meeting=meeting, category=category, name=name, content_type=content_type,
                            size=upload.size, uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    # Every check is done before the file is written, so a refused upload leaves nothing in storage.
    att.file.save(name, upload, save=False)
    att.save()
    audit.record("meeting.attach", actor=by, obj=meeting,
                 detail={"attachment": att.pk, "name": name, "category": category, "size": upload.size})
    return att


@transaction.atomic
def remove_attachment(att: MeetingAttachment, *, by=None) -> None:
    audit.record("meeting.detach", actor=by, obj=att.meeting, detail={"attachment": att.pk, "name": att.name})
    # The file stays in storage: the event log names it, and nothing links to it any more.
    att.delete()


# --- plans (年度计划) ----------------------------------------------------------------------------------------

# Where in a period a suggested meeting goes. Presentation defaults only (the frequencies come from
# dangjian.rules.meetings): monthly kinds early in the month, quarterly ones mid-quarter, yearly ones late in the
# year, 谈心谈话 before 组织生活会 (talks come first in practice), 民主评议 with or after it.
SUGGESTED_DAY = {"branch_committee": 5, "group_meeting": 8, "theme_day": 10}
YEARLY_SUGGESTION = {"heart_talk": (11, 10), "org_life_meeting": (12, 10), "democratic_review": (12, 20)}


def suggest_plan(org, year: int) -> list[dict]:
    """Items that meet every requirement for the branch in `year`: one dict (kind, planned_on, topic) per meeting."""
    on = min(dt.date(year, 12, 31), max(dt.date(year, 1, 1), timezone.localdate()))
    out = []
    for req in rules.requirements_for(org.org_type, org.direct_full, False, on=on):
        for label in rules.periods_in(year, req.period):
            first, _last = rules.period_bounds(label)
            for i in range(req.count):
                if req.period == "month":
                    day = first.replace(day=min(SUGGESTED_DAY.get(req.kind, 15) + 7 * i, 28))
                elif req.period == "quarter":
                    day = first.replace(month=first.month + 1, day=min(15 + 7 * i, 28))
                else:
                    month, d = YEARLY_SUGGESTION.get(req.kind, (6, 15))
                    if req.kind == "org_life_meeting":
                        month = 3 * rules.ORG_LIFE_MEETING_USUAL_QUARTER.value
                    day = dt.date(year, month, d) - dt.timedelta(days=30 * (req.count - 1 - i))
                out.append({"kind": req.kind, "planned_on": day, "topic": _suggested_topic(req.kind, label)})
    return sorted(out, key=lambda x: (x["planned_on"], list(rules.KINDS).index(x["kind"])))


def _when(label: str) -> str:
    """A period label (2026-03, 2026-Q1, 2026) within its year: 3月, 第一季度, 全年."""
    if "-Q" in label:
        return f"第{'一二三四'[int(label[-1]) - 1]}季度"
    return f"{int(label[5:])}月" if "-" in label else "全年"


def _suggested_topic(kind: str, label: str) -> str:
    when = f"{label[:4]}年{_when(label)}" if "-" in label else f"{label}年度"
    return f"{when}{rules.KINDS[kind]}"


def grouped_gaps(gaps: list[dict]) -> list[dict]:
    """A plan's gaps a line per meeting kind (an empty plan falls short in some forty periods):
    [{"kind", "label", "required", "hard", "whens": ["1月", …]}], in the order of the rules."""
    groups: dict[str, dict] = {}
    for g in gaps:
        row = groups.setdefault(g["kind"], {"kind": g["kind"], "label": rules.KINDS[g["kind"]], "required": g["required"],
                                            "hard": g["hard"], "whens": []})
        row["whens"].append(_when(g["period"]))
    return list(groups.values())


def plan_gaps(org, year: int, items) -> list[dict]:
    """Where a plan falls short of the rules: [{"kind", "period", "required", "planned", "hard", "message"}].
    A gap is a warning shown with the plan, never a refusal (a branch may plan in stages)."""
    on = min(dt.date(year, 12, 31), max(dt.date(year, 1, 1), timezone.localdate()))
    planned: dict[tuple[str, str], int] = {}
    for it in items:
        for period in rules.PERIODS:
            key = (it["kind"], rules.period_of(it["planned_on"], period))
            planned[key] = planned.get(key, 0) + 1
    gaps = []
    for req in rules.requirements_for(org.org_type, org.direct_full, False, on=on):
        for label in rules.periods_in(year, req.period):
            n = planned.get((req.kind, label), 0)
            if n < req.count:
                gaps.append({"kind": req.kind, "period": label, "required": req.count, "planned": n, "hard": req.hard,
                             "message": f"{_suggested_topic(req.kind, label)}：应至少{req.count}次，计划{n}次"
                                        + ("" if req.hard else "（一般要求）")})
    return gaps


@transaction.atomic
def save_plan(org, year: int, items, *, by=None):
    """Create or replace the branch's plan for `year` with `items` [{"kind", "planned_on", "topic"}].
    Returns (plan, gaps): gaps are warnings where the plan does not meet the rules."""
    errors: dict[str, list[str]] = {}
    if org.org_type not in BRANCH_TYPES:
        errors.setdefault("org", []).append(f"组织生活计划由党支部制定，“{org.name}”是{org.get_org_type_display()}")
    today = timezone.localdate()
    if not isinstance(year, int) or not (2000 <= year <= today.year + 1):
        raise ValidationError({"year": f"计划年度“{year}”无效，可制定{today.year + 1}年及以前的计划"})
    has_committee = rules.has_committee_by_size(org.direct_full)
    clean = []
    for i, it in enumerate(items, 1):
        kind, day, topic = it.get("kind"), it.get("planned_on"), (it.get("topic") or "").strip()
        label = f"第{i}项"
        if kind not in rules.KINDS:
            errors.setdefault("items", []).append(f"{label}：组织生活类型“{kind}”无效")
        elif kind == "branch_committee" and not has_committee:
            errors.setdefault("items", []).append(
                f"{label}：“{org.name}”正式党员不足{rules.COMMITTEE_MIN_FULL_MEMBERS.value}人，不设支部委员会，不召开支委会")
        elif not isinstance(day, dt.date):
            errors.setdefault("items", []).append(f"{label}：请填写计划日期")
        elif day.year != year:
            errors.setdefault("items", []).append(f"{label}：计划日期{day:%Y-%m-%d}不在{year}年内")
        elif not topic:
            errors.setdefault("items", []).append(f"{label}：请填写主题")
        else:
            clean.append({"kind": kind, "planned_on": day, "topic": topic[:200]})
    if errors:
        raise ValidationError(errors)
    plan, created = Plan.objects.get_or_create(org=org, year=year, defaults={
        "org_path": org.path, "created_by": by if getattr(by, "is_authenticated", False) else None})
    plan.items.all().delete()
    PlanItem.objects.bulk_create([PlanItem(plan=plan, **it) for it in clean])
    plan.save()  # updated_at
    audit.record("plan.create" if created else "plan.update", actor=by, obj=plan,
                 detail={"year": year, "items": len(clean)})
    return plan, plan_gaps(org, year, clean)


# --- filings (预约报备) and spot checks (抽查) -------------------------------------------------------------------

@transaction.atomic
def file_meeting(org, *, kind: str, planned_on: dt.date, topic: str, place: str = "", start_time=None, by=None):
    """File an upcoming meeting with the committee above. Later than the local advance period it is still
    accepted, marked 临时报备."""
    errors = {}
    today = timezone.localdate()
    if org.org_type not in BRANCH_TYPES:
        errors["org"] = f"会议报备由党支部提交，“{org.name}”是{org.get_org_type_display()}"
    if kind not in rules.KINDS:
        errors["kind"] = f"未知的组织生活类型“{kind}”"
    elif kind == "branch_committee" and not rules.has_committee_by_size(org.direct_full):
        errors["kind"] = (f"“{org.name}”正式党员不足{rules.COMMITTEE_MIN_FULL_MEMBERS.value}人，不设支部委员会，"
                          "不召开支委会")
    if planned_on is None:
        errors["planned_on"] = "请填写召开日期"
    elif planned_on < today:
        errors["planned_on"] = "报备的召开日期不能早于今天（已召开的会议请直接录入）"
    elif planned_on.year > today.year + 1:
        errors["planned_on"] = f"只能报备{today.year + 1}年底以前的会议"
    if not (topic or "").strip():
        errors["topic"] = "请填写会议主题"
    if errors:
        raise ValidationError(errors)
    short = (planned_on - today).days < value(records.FILING_ADVANCE_DAYS)
    filing = Filing.objects.create(org=org, org_path=org.path, kind=kind, planned_on=planned_on, topic=topic.strip(),
                                   place=(place or "").strip(), start_time=start_time, short_notice=short,
                                   filed_by=by if getattr(by, "is_authenticated", False) else None)
    audit.record("filing.create", actor=by, obj=filing,
                 detail={"kind": kind, "planned_on": str(planned_on), "short_notice": short})
    return filing


@transaction.atomic
def cancel_filing(filing, *, reason: str, by=None):
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.status != Filing.Status.FILED:
        raise ValidationError({"status": f"该报备{filing.get_status_display()}，不能取消"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明取消原因"})
    filing.status, filing.cancel_reason = Filing.Status.CANCELLED, reason.strip()[:200]
    filing.save(update_fields=["status", "cancel_reason"])
    audit.record("filing.cancel", actor=by, obj=filing, detail={"reason": filing.cancel_reason})
    return filing


def may_spot_check(user, filing) -> bool:
    """The committee above checks its branches: scope over the branch's parent, not the branch's own secretary."""
    parent_path = filing.org_path[: -Org.steplen]
    return bool(parent_path) and scope_for(user).covers(parent_path, "change_member")


@transaction.atomic
def mark_spot_check(filing, *, on: bool = True, note: str = "", by=None):
    if by is not None and not may_spot_check(by, filing):
        raise ValidationError({"spot_check": "抽查由上级党组织标记"})
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    filing.spot_check, filing.spot_check_note = on, (note or "").strip()[:200] if on else ""
    filing.spot_check_by = by if on and getattr(by, "is_authenticated", False) else None
    filing.save(update_fields=["spot_check", "spot_check_note", "spot_check_by"])
    audit.record("filing.spot_check" if on else "filing.spot_check_off", actor=by, obj=filing,
                 detail={"note": filing.spot_check_note})
    return filing


# --- check-in from a phone (扫码签到) ----------------------------------------------------------------------------

CHECKIN_SALT = "orglife.checkin"


def checkin_token(filing) -> str:
    """The secret in a filing's QR code: signed, so that one code cannot be turned into another meeting's."""
    return signing.Signer(salt=CHECKIN_SALT).sign(str(filing.pk)).split(":", 1)[1] + f"-{filing.pk}"


def filing_for_token(token: str):
    """The filing a QR token names, or None when the token is not one of ours."""
    sig, _, pk = (token or "").rpartition("-")
    if not pk.isdigit():
        return None
    try:
        signing.Signer(salt=CHECKIN_SALT).unsign(f"{pk}:{sig}")
    except signing.BadSignature:
        return None
    return Filing.objects.select_related("org").filter(pk=int(pk)).first()


def checkin_window(filing) -> tuple[dt.datetime, dt.datetime]:
    """From the local lead time before the filed start (the day's start without one) to the end of that day."""
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(filing.planned_on, dt.time.min, tzinfo=tz)
    opens = day_start
    if filing.start_time is not None:
        opens = max(day_start, dt.datetime.combine(filing.planned_on, filing.start_time, tzinfo=tz)
                    - dt.timedelta(minutes=value(records.CHECKIN_OPENS_MINUTES_BEFORE)))
    return opens, day_start + dt.timedelta(days=1)


@transaction.atomic
def check_in(filing, member, *, now: dt.datetime | None = None):
    """A member checks in to a filed meeting of their own branch during its window; checking in twice is harmless.
    Returns (CheckIn, created)."""
    now = now or timezone.now()
    opens, closes = checkin_window(filing)
    if filing.status != Filing.Status.FILED:
        raise ValidationError(f"该会议{filing.get_status_display()}，不能签到")
    if member.org_id != filing.org_id or member.status != "normal":
        raise ValidationError(f"您不是“{filing.org.name}”的党员，无需在此签到")
    if not (opens <= now < closes):
        local = timezone.localtime(opens)
        raise ValidationError(f"签到时间为{local:%Y年%m月%d日 %H:%M}至当天结束")
    checkin, created = CheckIn.objects.get_or_create(filing=filing, member=member)
    if created:
        audit.record("filing.checkin", actor=member.user, obj=filing, detail={"member": member.pk})
    return checkin, created
