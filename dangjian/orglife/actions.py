"""Writes of organization-life records."""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES
from dangjian.rules import meetings as rules
from dangjian.rules import quorum, records
from dangjian.rules.base import value

from .models import VOTE_KIND_CHOICES, Attendance, Meeting, MeetingAttachment, Vote

BRANCH_ONLY_KINDS = {"branch_congress", "branch_committee", "group_meeting", "theme_day", "democratic_review"}


@transaction.atomic
def record_meeting(org, *, kind: str, held_on: dt.date, topic: str, attendance=(), votes=(), by=None,
                   **extra) -> Meeting:
    """Record a held meeting. `attendance` is [(member or member id, status, reason)]; every member must be an
    active member of that branch. A meeting entered long after it was held is flagged 补录.

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
    if errors:
        raise ValidationError(errors)
    late = (today - held_on).days > value(records.LATE_ENTRY_DAYS)
    meeting = Meeting.objects.create(org=org, org_path=org.path, kind=kind, held_on=held_on, topic=topic.strip(),
                                     late_entry=late, created_by=by if getattr(by, "is_authenticated", False) else None,
                                     **{k: v for k, v in extra.items() if k in {"place", "host", "recorder", "minutes"}})
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=m, status=s, reason=(r or "") if s == "leave" else "") for m, s, r in rows])
    for v in checked:
        v.meeting = meeting
    Vote.objects.bulk_create(checked)
    audit.record("meeting.create", actor=by, obj=meeting,
                 detail={"kind": kind, "held_on": str(held_on), "attendance": len(rows), "late_entry": late,
                         "votes": len(checked), "invalid_votes": sum(not v.valid for v in checked)})
    return meeting


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
