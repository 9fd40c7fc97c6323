"""Helpers the disclosure actions share: parsing money and dates, the personal-number check, the acting user."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .. import pii


def _money(raw, label: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError(f"{label}“{raw}”不是有效金额，请填写数字，如 1200.50") from None
    if not value.is_finite() or value < 0:
        raise ValidationError(f"{label}不能为负数")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"{label}最多保留两位小数（到分）")
    if value >= Decimal("1e12"):
        raise ValidationError(f"{label}超出可填写的范围")
    return value.quantize(Decimal("0.01"))


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}"


def _pii_message(label: str, text: str) -> str | None:
    found = pii.find(text)
    if not found:
        return None
    kind, value = found[0]
    shown = value[:3] + "…" + value[-2:]
    return (f"{label}含有疑似{kind}（{shown}）：公开内容不得出现个人身份证号或手机号码，"
            "请删除或打码（如 138****1234）后再保存")


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None
