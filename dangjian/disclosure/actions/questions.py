"""群众留言: villagers' questions and objections on published items, and the organization's answers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit

from .. import pii, public_cache
from ..models import (
    DisclosureItem,
    Question,
    QuestionKind,
    Status,
)
from .common import _pii_message, _user

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())[-11:] if raw else ""


@transaction.atomic
def ask(item: DisclosureItem, *, kind: str, body: str, phone: str) -> Question:
    """A villager's question or objection on a published item (no login; the view checks the form token
    and rate limits). The phone is kept for the reply only."""
    errors: dict[str, list[str]] = {}
    item = DisclosureItem.objects.get(pk=item.pk)
    if item.status != Status.PUBLISHED:
        raise ValidationError("只能对正在公开的内容留言")
    if kind not in QuestionKind.values:
        errors["kind"] = ["请选择询问或异议"]
    body = (body or "").strip()
    if len(body) < 5:
        errors["body"] = ["请写下您的问题或异议（至少5个字）"]
    elif len(body) > 1000:
        errors["body"] = ["留言不能超过1000个字"]
    digits = normalize_phone(phone)
    if not PHONE_RE.match(digits) or len("".join(ch for ch in phone if ch.isdigit())) not in (11, 13):
        errors["phone"] = ["请填写11位手机号码，用于答复您（不会公开）"]
    if errors:
        raise ValidationError(errors)
    q = Question.objects.create(item=item, org_id=item.org_id, org_path=item.org_path, kind=kind, body=body,
                                phone=digits)
    # The audit detail carries no phone number: the log is readable by more people than the inbox.
    audit.record("disclosure.question", actor=None, obj=item, detail={"question": q.pk, "kind": kind})
    return q


def mask_numbers(text: str) -> str:
    """The text with every ID or mobile number masked (138****1234, 3701**********1234)."""
    out = pii.ID_NUMBER.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text or "")
    return pii.MOBILE.sub(lambda m: (d := "".join(c for c in m.group() if c.isdigit()))[:3] + "****" + d[-4:], out)


@transaction.atomic
def answer(question: Question, *, text: str, public: bool = False, by=None) -> Question:
    """The responsible organization answers; `public` shows question and answer on the item's public page
    (the question masked, never the phone)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"answer": "请填写答复内容"})
    if len(text) > 2000:
        raise ValidationError({"answer": "答复不能超过2000个字"})
    msg = _pii_message("答复", text)
    if msg:
        raise ValidationError({"answer": msg})
    question.answer = text
    question.answered_at = timezone.now()
    question.answered_by = _user(by)
    question.save(update_fields=["answer", "answered_at", "answered_by"])
    DisclosureItem.objects.filter(pk=question.item_id).update(updated_at=timezone.now())  # see set_public
    public_cache.changed(question.org)
    audit.record("disclosure.answer", actor=by, obj=question.item, detail={"question": question.pk})
    return set_public(question, public, by=by) if public != question.public else question


@transaction.atomic
def set_public(question: Question, public: bool, *, by=None) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    if public and question.answered_at is None:
        raise ValidationError({"public": "答复后才能在公开页显示"})
    question.public = public
    question.public_body = mask_numbers(question.body) if public else ""
    question.save(update_fields=["public", "public_body"])
    # The public item page shows public answers: its stamp (views._stamp) must change.
    DisclosureItem.objects.filter(pk=question.item_id).update(updated_at=timezone.now())
    public_cache.changed(question.org)
    audit.record("disclosure.question_public", actor=by, obj=question.item,
                 detail={"question": question.pk, "public": public})
    return question
