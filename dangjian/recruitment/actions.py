"""Every write to the recruitment pipeline goes through here: check the rules, write in one transaction, audit.

`open_file` starts a file with step 1 (递交入党申请书); `record_step` records any later step. The steps go in
order (rules.recruitment.STEPS); a hard rule refuses with a Chinese ValidationError naming the rule and its
source, keyed by the form field it concerns, and nothing is written; soft findings are stored on the step
and returned so the page shows them. The 支部大会 (step 15) creates the member record as 预备党员 and the
approval of 转正 (step 24) makes it 正式党员, or applies the extension of the 预备期, or ends the
预备党员资格 — through members.actions, in the same transaction, so registry and pipeline agree.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core import audit, idcard
from dangjian.core import phone as phones
from dangjian.core.scope import scope_for
from dangjian.members import actions as member_actions
from dangjian.members.choices import ETHNICITIES, Category, Education
from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import Member
from dangjian.orglife.actions import ATTACHMENT_TYPES
from dangjian.orgs.models import Org, OrgType
from dangjian.rules import quorum, records
from dangjian.rules import recruitment as rules
from dangjian.rules.base import Finding, add_months, value

from .models import ACT, Applicant, Outcome, RecruitmentPlan, Stage, StepAttachment, StepRecord

STEP_NAMES = {s.number: s.name for s in rules.STEPS}
LAST_STEP = max(STEP_NAMES)
# 培养教育考察 and 继续教育考察 go on for months: one record per assessment.
REPEATABLE = frozenset({6, 21})
# Steps done by the 党委 above the branch (备案, 预审, 谈话, 审批), not by the branch itself.
HIGHER_STEPS = frozenset({4, 8, 13, 16, 17, 18, 24})
VOTE_KINDS = {15: "admission", 23: "probation"}
VOTE_FIELDS = ("eligible", "present", "yes", "no", "abstain", "written_yes")
ORDER_SOURCE = "《中国共产党发展党员工作细则》第二条：发展党员必须按照规定的程序进行"
# A system limit (not a regulation): scans per step record.
ATTACHMENTS_PER_STEP = 10


def today() -> dt.date:
    return timezone.localdate()


def step_label(number: int) -> str:
    return f"第{number}步“{STEP_NAMES[number]}”"


def _refuse(field: str, f: Finding) -> ValidationError:
    return ValidationError({field: f"{f.message}（依据：{f.source}）"})


def _hard(findings: list[Finding], field_of: dict[str, str] | None = None, default: str = "on") -> None:
    """Refuse with every hard finding, each next to its field."""
    errors: dict[str, list[str]] = {}
    for f in findings:
        if f.hard:
            field = (field_of or {}).get(f.code, default)
            errors.setdefault(field, []).append(f"{f.message}（依据：{f.source}）")
    if errors:
        raise ValidationError(errors)


def _soft(findings) -> list[dict]:
    return [{"code": f.code, "message": f.message, "source": f.source} for f in findings if not f.hard]


# --- who may do what ---------------------------------------------------------------------------

def approver_org(org: Org) -> Org | None:
    """The 党委 above a branch that files, pre-reviews and approves its admissions: the nearest ancestor
    with approval power (a 党总支 above the branch has none; rules.recruitment.APPROVERS)."""
    return (Org.objects.filter(path__in=org.ancestor_paths(), org_type__in=rules.APPROVERS.value)
            .exclude(pk=org.pk).order_by("-depth").first())


def manages(user, applicant: Applicant) -> bool:
    return scope_for(user).covers(applicant.org_path, ACT)


def may_do_step(user, applicant: Applicant, number: int, approver: Org | None = None) -> bool:
    if not manages(user, applicant):
        return False
    if number not in HIGHER_STEPS:
        return True
    scope = scope_for(user)
    if approver is None:
        approver = approver_org(applicant.org)
    if approver is None:  # a branch directly under the root: its own administrators act as the 党委
        return scope.covers(applicant.org_path, "change_org")
    return scope.covers(approver.path, ACT)


# --- opening a file (step 1) -------------------------------------------------------------------

PERSON_FIELDS = ("name", "gender", "id_number", "birth_date", "ethnicity", "education", "job", "phone")


def _person(data: dict) -> dict:
    d = {k: (data.get(k).strip() if isinstance(data.get(k), str) else data.get(k)) for k in PERSON_FIELDS}
    errors = {}
    if not d["name"]:
        errors["name"] = "请填写姓名"
    elif len(d["name"]) > 50:
        errors["name"] = "姓名不能超过50字"
    info = None
    if not d["id_number"]:
        errors["id_number"] = "请填写公民身份号码"
    else:
        try:
            info = idcard.parse(d["id_number"])
            d["id_number"] = info.number
        except idcard.IdNumberError as e:
            errors["id_number"] = str(e)
    if info is not None:
        if not d["birth_date"]:
            d["birth_date"] = info.birth_date
        elif d["birth_date"] != info.birth_date:
            errors["birth_date"] = f"出生日期与公民身份号码不符（号码中为{info.birth_date:%Y-%m-%d}）"
        if not d["gender"]:
            d["gender"] = info.sex
        elif d["gender"] != info.sex:
            errors["gender"] = "性别与公民身份号码不符（号码第17位{}）".format(
                "为奇数，应为男" if info.sex == "M" else "为偶数，应为女")
    if not d["ethnicity"]:
        d["ethnicity"] = "汉族"
    elif d["ethnicity"] not in ETHNICITIES:
        errors["ethnicity"] = f"民族“{d['ethnicity']}”不在56个民族及“穿青人”“其他”之列"
    if not d["education"]:
        errors["education"] = "请选择学历"
    elif d["education"] not in Education.values:
        errors["education"] = f"学历“{d['education']}”无效"
    d["job"], d["phone"] = (d["job"] or "")[:100], (d["phone"] or "")[:30]
    if (message := phones.new_problem(d["phone"])) is not None:
        errors["phone"] = message  # as on the member form: the 预备党员's record is made from this file
    if errors:
        raise ValidationError(errors)
    return d


@transaction.atomic
def open_file(data: dict, *, org: Org, by, applied_on: dt.date, document_no: str = "", notes: str = "") -> Applicant:
    """建档: a person hands the 入党申请书 to a branch (step 1). Age is checked on the day of application."""
    if not scope_for(by).covers(org.path, ACT):
        raise PermissionDenied("您无权在该党组织办理发展党员")
    if not org.is_branch:
        raise ValidationError({"org": f"“{org.name}”是{org.get_org_type_display()}，入党申请书应递交给党支部"})
    if org.org_type == OrgType.TEMP_BRANCH:
        raise ValidationError({"org": "临时党支部不能发展党员，请向所在单位的党支部递交入党申请书"
                                      f"（依据：{rules.APPROVERS.source}）"})
    person = _person(data)
    _check_date(applied_on, "applied_on", "递交申请书日期")
    _hard(rules.check_applicant_age(person["birth_date"], applied_on), {"recruitment.under_age": "birth_date"})
    member = Member.objects.filter(id_number=person["id_number"], status=MemberStatus.NORMAL).select_related("org").first()
    if member is not None:
        raise ValidationError({"id_number": f"该公民身份号码已登记为“{member.org.name}”的党员{member.name}"})
    other = Applicant.objects.open().filter(id_number=person["id_number"]).select_related("org").first()
    if other is not None:
        raise ValidationError({"id_number": f"{other.name}在“{other.org.name}”已有一份正在进行的发展党员档案"
                                            f"（{other.get_stage_display()}）"})
    try:
        with transaction.atomic():
            a = Applicant.objects.create(org=org, org_path=org.path, applied_on=applied_on, created_by=by,
                                         stage=Stage.APPLICANT, last_step=1, **person)
    except IntegrityError:
        raise ValidationError({"id_number": "该公民身份号码已有一份正在进行的发展党员档案"}) from None
    StepRecord.objects.create(applicant=a, number=1, on=applied_on, document_no=(document_no or "")[:60],
                              notes=notes or "", recorded_by=by)
    _set_next_due(a)
    a.save(update_fields=["next_due_on", "next_due_label"])
    audit.record("recruitment.open", actor=by, obj=a, detail={"org": org.code, "applied_on": applied_on.isoformat()})
    return a


# --- recording a step --------------------------------------------------------------------------

def allowed_steps(a: Applicant) -> list[int]:
    """The steps that may be recorded next, in order: the next one, the same one again for the
    assessments, and for a 预备党员 the 支部大会 on 取消预备党员资格 at any time of the 预备期."""
    if a.stage == Stage.FULL:
        return [25] if a.last_step == 24 else []
    if not a.is_open or a.last_step >= LAST_STEP:
        return []
    out = []
    if a.last_step in REPEATABLE:
        out.append(a.last_step)
    out.append(a.last_step + 1)
    if a.stage == Stage.PROBATIONARY and 17 <= a.last_step < 22:
        out.append(23)
    return sorted(set(out))


def _check_date(on, field: str, label: str) -> None:
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationError({field: f"请填写{label}"})
    if on > today():
        raise ValidationError({field: f"{label}不能晚于今天"})


def _last_date(a: Applicant) -> dt.date | None:
    return a.steps.order_by("-on").values_list("on", flat=True).first()


def _dates(a: Applicant, number: int) -> list[dt.date]:
    return list(a.steps.filter(number=number).order_by("on").values_list("on", flat=True))


def _latest(a: Applicant, number: int) -> StepRecord | None:
    return a.steps.filter(number=number).order_by("-on", "-id").first()


def _int(data: dict, field: str, label: str, *, required: bool) -> int | None:
    v = data.get(field)
    if v in (None, ""):
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return None
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为整数"}) from None
    if n < 0:
        raise ValidationError({field: f"{label}不能为负数"})
    return n


def _decimal(data: dict, field: str, label: str) -> Decimal | None:
    v = data.get(field)
    if v in (None, ""):
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise ValidationError({field: f"{label}应为数字"}) from None
    if d < 0 or d > 999:
        raise ValidationError({field: f"{label}应在0至999之间"})
    return d


def _vote(number: int, data: dict) -> tuple[dict, list[dict]]:
    """The 支部大会's figures: a meeting without quorum or a motion that did not pass is refused."""
    labels = {"eligible": "应到会有表决权人数", "present": "实到会有表决权人数", "yes": "赞成票数",
              "no": "反对票数", "abstain": "弃权票数", "written_yes": "书面赞成意见份数"}
    figures = {f: _int(data, f, labels[f], required=f in ("eligible", "present", "yes")) for f in VOTE_FIELDS}
    args = {f: figures[f] or 0 for f in VOTE_FIELDS}
    try:
        result = quorum.vote_result(**args, kind=VOTE_KINDS[number])
    except ValueError as e:
        raise ValidationError({"present": str(e)}) from None
    sources = "；".join(result.sources)
    if not result.valid_meeting:
        raise ValidationError({"present": f"{'；'.join(result.reasons)}（依据：{sources}）"})
    if not result.passed:
        what = "接收为预备党员" if number == 15 else "作出该决议"
        raise ValidationError({"yes": f"{'；'.join(result.reasons)}，不能{what}（依据：{sources}）"})
    warnings = [{"code": "quorum.reading", "message": w, "source": sources} for w in result.warnings]
    return figures, warnings


def _people(data: dict, field_label: str) -> list[Member]:
    people = list(data.get("people") or [])
    if len({p.pk for p in people}) != len(people):
        raise ValidationError({"people": f"{field_label}有重复"})
    return people


def _non_full(people: list[Member]) -> int:
    return sum(1 for p in people if p.category != Category.FULL or p.status != MemberStatus.NORMAL)


def check_uploads(uploads) -> list[tuple]:
    """Every upload checked before anything is written: type by extension and by its first bytes, size within
    the local limit (rules.records.ATTACHMENT_MAX_MB), at most ATTACHMENTS_PER_STEP."""
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > ATTACHMENTS_PER_STEP:
        raise ValidationError({"files": f"每个步骤最多上传{ATTACHMENTS_PER_STEP}个附件"})
    max_mb = value(records.ATTACHMENT_MAX_MB)
    out = []
    for upload in uploads:
        name = Path(upload.name or "").name[:200] or "附件"
        ext = Path(name).suffix.lower()
        if ext not in ATTACHMENT_TYPES:
            raise ValidationError({"files": f"“{name}”：附件只能是照片（JPG、PNG、WEBP）或 PDF 扫描件"})
        if upload.size == 0:
            raise ValidationError({"files": f"“{name}”是空文件"})
        if upload.size > max_mb * 1024 * 1024:
            raise ValidationError({"files": f"“{name}”超过{max_mb}MB（{upload.size / 1024 / 1024:.1f}MB）"
                                            f"（依据：{records.ATTACHMENT_MAX_MB.source}）"})
        content_type, magics = ATTACHMENT_TYPES[ext]
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(m) for m in magics) or (ext == ".webp" and head[8:12] != b"WEBP"):
            raise ValidationError({"files": f"“{name}”的内容与扩展名{ext}不符，请上传真实的照片或 PDF 文件"})
        out.append((upload, name, content_type))
    return out


@transaction.atomic
def record_step(applicant: Applicant, number: int, data: dict, *, by) -> tuple[StepRecord, list[dict]]:
    """Record step `number` with `data` (on, handled_by, document_no, notes, and per step: people, vote
    figures, training_days/hours, outcome, extension_months). Returns the record and its soft warnings."""
    a = Applicant.objects.select_for_update(of=("self",)).select_related("org").get(pk=applicant.pk)
    if number not in STEP_NAMES:
        raise ValidationError({"step": f"没有第{number}步，发展党员共{LAST_STEP}个步骤"})
    if not manages(by, a):
        raise PermissionDenied("您无权办理该发展党员档案")
    approver = approver_org(a.org) if number in HIGHER_STEPS else None
    if not may_do_step(by, a, number, approver):
        who = approver.name if approver else "上级党委"
        raise PermissionDenied(f"{step_label(number)}由{who}办理")
    if not a.is_open and a.stage != Stage.FULL:
        raise ValidationError({"step": f"该档案已结束（{a.get_stage_display()}），不能再办理"})
    allowed = allowed_steps(a)
    if number not in allowed:
        if not allowed:
            raise ValidationError({"step": "该档案的发展程序已全部完成"})
        expected = a.last_step + 1 if a.last_step + 1 in allowed else allowed[0]
        raise ValidationError({"step": f"现在应办理{step_label(expected)}，不能办理{step_label(number)}"
                                       f"（依据：{ORDER_SOURCE}）"})

    on = data.get("on")
    _check_date(on, "on", "日期")
    last = _last_date(a)
    if last is not None and on < last:
        raise ValidationError({"on": f"日期（{on}）早于上一步骤的日期（{last}），发展党员各步骤应依次进行"
                                     f"（依据：{ORDER_SOURCE}）"})
    uploads = check_uploads(data.get("files"))
    record = StepRecord(applicant=a, number=number, on=on, recorded_by=by,
                        handled_by=(data.get("handled_by") or "").strip()[:100],
                        document_no=(data.get("document_no") or "").strip()[:60],
                        notes=(data.get("notes") or "").strip())
    findings: list[Finding] = []
    warnings: list[dict] = []
    people: list[Member] = []
    after = []  # effects on the registry, run once the step itself is valid

    if number == 2:
        findings = rules.check_talk(a.applied_on, on)
    elif number == 3:
        findings = rules.check_activist_wait(a.applied_on, on)
    elif number == 5:
        people = _people(data, "培养联系人")
        findings = rules.check_contacts(len(people))
        if _non_full(people):
            findings.append(Finding("recruitment.contact_not_full_member", True,
                                    "培养联系人应为正式党员（预备党员和党籍不正常的不能担任）", rules.CONTACTS.source))
    elif number == 7:
        findings = rules.check_activist_period(a.activist_on, on)
        findings += rules.check_assessments(a.activist_on, _dates(a, 6), on)
    elif number == 9:
        people = _people(data, "入党介绍人")
        findings = rules.check_sponsors(len(people), len(people) - _non_full(people), 0)
    elif number == 11:
        days, hours = _decimal(data, "training_days", "培训天数"), _decimal(data, "training_hours", "培训学时")
        record.training_days, record.training_hours = days, hours
        findings = rules.check_training(days or 0, hours or 0)
    elif number == 14:
        if not record.document_no:
            raise ValidationError({"document_no": "请填写入党志愿书编号（由上级党委预审后发放）"})
    elif number == 15:
        figures, warnings = _vote(number, data)
        for f, v in figures.items():
            setattr(record, f, v)
        review = _dates(a, 10)
        if review:
            findings = rules.check_political_review(review[-1], on)
        after.append(_admit)
    elif number == 17:
        findings = rules.check_approval(a.congress_on, on)
    elif number == 23:
        outcome = data.get("outcome") or ""
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": "请选择讨论结果：按期转正、延长预备期或取消预备党员资格"})
        if a.last_step < 22 and outcome != Outcome.CANCEL:
            raise ValidationError({"outcome": f"讨论转正或延长预备期前应先完成{step_label(22)}"
                                              f"（依据：{ORDER_SOURCE}）"})
        record.outcome = outcome
        if outcome in (Outcome.CONVERT, Outcome.EXTEND):
            findings = rules.check_conversion_meeting(a.congress_on, on, a.extension_months)
        if outcome == Outcome.EXTEND:
            months = _int(data, "extension_months", "延长预备期的月数", required=True)
            findings += rules.check_extension(months, 1 if a.extension_months else 0)
            record.extension_months = months
        figures, warnings = _vote(number, data)
        for f, v in figures.items():
            setattr(record, f, v)
    elif number == 24:
        decision = _latest(a, 23)
        record.outcome = decision.outcome
        record.extension_months = decision.extension_months
        findings = rules.check_conversion_approval(decision.on, on)
        after.append({Outcome.CONVERT: _convert, Outcome.EXTEND: _extend, Outcome.CANCEL: _cancel}[decision.outcome])

    _hard(findings, {
        "recruitment.contacts_count": "people", "recruitment.contact_not_full_member": "people",
        "recruitment.sponsors_count": "people", "recruitment.sponsor_not_full_member": "people",
        "recruitment.sponsor_sanctioned": "people", "recruitment.training_short": "training_days",
        "recruitment.extended_twice": "extension_months", "recruitment.extension_length": "extension_months",
    })
    record.warnings = warnings + _soft(findings)
    record.save()
    if people:
        record.people.set(people)

    a.last_step = number
    if number == 3:
        a.stage, a.activist_on = Stage.ACTIVIST, on
    elif number == 7:
        a.stage, a.candidate_on = Stage.CANDIDATE, on
    for effect in after:
        effect(a, record, by)
    _set_next_due(a)
    a.save()
    # Files last: every check and effect has passed, so a refused step leaves nothing in storage.
    for upload, name, content_type in uploads:
        att = StepAttachment(step=record, name=name, content_type=content_type, size=upload.size, uploaded_by=by)
        att.file.save(name, upload, save=False)
        att.save()
    audit.record("recruitment.step", actor=by, obj=a, detail={
        "step": number, "name": STEP_NAMES[number], "on": on.isoformat(), "record": record.pk,
        "outcome": record.outcome, "warnings": [w["message"] for w in record.warnings],
        "attachments": [name for _u, name, _c in uploads],
    })
    return record, record.warnings


def _member_error(e: ValidationError) -> ValidationError:
    msgs = [m for ms in e.message_dict.values() for m in ms] if hasattr(e, "error_dict") else e.messages
    return ValidationError({"on": "建立党员档案失败：" + "；".join(msgs)})


def _admit(a: Applicant, record: StepRecord, by) -> None:
    """支部大会 passed: the person is a 预备党员 from this day (党籍 and 预备期 start at the 支部大会)."""
    data = {f: getattr(a, f) for f in PERSON_FIELDS} | {
        "org": a.org, "category": Category.PROBATIONARY, "joined_on": record.on, "confirmed_on": None,
    }
    try:
        a.member = member_actions.create_member(data, by=by, source=f"发展党员：支部大会接收（档案 #{a.pk}）",
                                                stored_phone=a.phone)  # checked when the file was opened
    except ValidationError as e:
        raise _member_error(e) from None
    a.stage, a.congress_on = Stage.PROBATIONARY, record.on


def probation_end(a: Applicant) -> dt.date | None:
    return rules.probation_end(a.congress_on, a.extension_months) if a.congress_on else None


def _registry_member(a: Applicant) -> Member:
    member = Member.objects.select_for_update().filter(pk=a.member_id).first()
    if member is None or member.status != MemberStatus.NORMAL or member.category != Category.PROBATIONARY:
        raise ValidationError({"step": "党员信息库中该预备党员的记录已变化（不是党籍正常的预备党员），请先核对"})
    return member


def _convert(a: Applicant, record: StepRecord, by) -> None:
    """转正: 党龄 counts from the day the 预备期 ended (党章 第七条), not from the approval."""
    member = _registry_member(a)
    end = probation_end(a)
    try:
        member_actions.update_member(member, {"category": Category.FULL, "confirmed_on": end}, by=by,
                                     source=f"发展党员：预备党员转正（档案 #{a.pk}）")
    except ValidationError as e:
        raise _member_error(e) from None
    a.stage, a.confirmed_on = Stage.FULL, end


def _extend(a: Applicant, record: StepRecord, by) -> None:
    """延长预备期 approved: back to 继续教育考察 until the new end."""
    a.extension_months = record.extension_months
    a.last_step = 21


def _cancel(a: Applicant, record: StepRecord, by) -> None:
    """取消预备党员资格: the member leaves the registry as 出党 (党内统计 counts it so), never deleted."""
    member = _registry_member(a)
    member_actions.change_status(member, MemberStatus.EXPELLED, on=record.on, by=by,
                                 reason=f"取消预备党员资格（支部大会决议，上级党委{record.on:%Y-%m-%d}批准，档案 #{a.pk}）")
    a.stage = Stage.CANCELLED


# --- what is due next ---------------------------------------------------------------------------

def next_due(a: Applicant) -> tuple[dt.date | None, str]:
    """The next deadline the rules set for the file, and what it is for."""
    n = a.last_step
    if not a.is_open:
        return None, ""
    if n == 1:
        return rules.talk_deadline(a.applied_on), "派人谈话（收到申请书后一个月内）"
    if 3 <= n <= 6:
        done = [d for d in a.steps.filter(number=6).values_list("on", flat=True)]
        since = max([a.activist_on, *done])
        return add_months(since, rules.ASSESSMENT_EVERY_MONTHS.value), "培养教育考察（每半年一次）"
    if n in (15, 16):
        return rules.approval_deadline(a.congress_on), "上级党委审批（支部大会后三个月内）"
    if 17 <= n <= 22:
        return probation_end(a), "预备期满，讨论转正"
    if n == 23:
        decision = _latest(a, 23)
        return add_months(decision.on, rules.CONVERSION_APPROVAL_MONTHS.value), "上级党委审批转正"
    return None, ""


def _set_next_due(a: Applicant) -> None:
    a.next_due_on, a.next_due_label = next_due(a)


# --- 发展计划 -----------------------------------------------------------------------------------

@transaction.atomic
def set_plan(org: Org, year: int, planned: int, *, by, note: str = "") -> RecruitmentPlan:
    """Set (or change) an organization's yearly plan; the administrators of the organization do it."""
    if not scope_for(by).covers(org.path, "change_org"):
        raise PermissionDenied("您无权制定该党组织的发展党员计划")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today().year + 5:
        raise ValidationError({"year": f"年度应在2000至{today().year + 5}之间"})
    if isinstance(planned, bool) or not isinstance(planned, int) or not 0 <= planned <= 1_000_000:
        raise ValidationError({"planned": "计划发展人数应为0至1000000之间的整数"})
    plan, created = RecruitmentPlan.objects.select_for_update().get_or_create(
        org=org, year=year, defaults={"org_path": org.path, "planned": planned, "note": note[:200], "updated_by": by})
    before = None if created else plan.planned
    if not created:
        plan.planned, plan.note, plan.updated_by = planned, note[:200], by
        plan.save()
    audit.record("recruitment.plan", actor=by, obj=plan, detail={"org": org.code, "year": year, "planned": planned,
                                                                 "before": before})
    return plan
