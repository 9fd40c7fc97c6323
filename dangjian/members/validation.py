"""Checks on one member's data, shared by the form, the API and the roster import.

Each check returns errors as {field: Chinese message}; nothing here writes.
"""

import datetime as dt

from django.utils import timezone

from dangjian.core import idcard
from dangjian.core import phone as phones
from dangjian.core.dates import add_years
from dangjian.core.names import normalize_name
from dangjian.rules import membership
from dangjian.rules.base import value

from .choices import Category, Status


def today() -> dt.date:
    return timezone.localdate()


def validate_member(data: dict, *, instance=None, check_unique: bool = True,
                    stored_phone: str | None = None) -> dict[str, str]:
    """`data` holds model field values (id_number, birth_date, gender, category, joined_on, confirmed_on,
    org, status). Returns {field: message}; empty when the data is valid. Also normalizes id_number and the
    name (`core.names.normalize_name`: no padding spaces, “·” between the parts of a transliterated name).

    `check_unique=False` skips the one-query-per-call active-ID clash check: the roster import checks a
    whole file against the registry with set-based lookups instead.

    A phone number is checked only when it is new or changed (`instance`'s, or `stored_phone` where the
    caller has no instance): a number kept as it was is not held against an unrelated edit or a re-import."""
    errors: dict[str, str] = {}
    now = today()
    if isinstance(data.get("name"), str):
        data["name"] = normalize_name(data["name"])
    raw_id = data.get("id_number") or ""
    info = None
    if not raw_id:
        errors["id_number"] = "请填写公民身份号码"
    else:
        try:
            info = idcard.parse(raw_id)
            data["id_number"] = info.number
        except idcard.IdNumberError as e:
            errors["id_number"] = str(e)
    birth = data.get("birth_date")
    if info is not None:
        if birth is None:
            data["birth_date"] = birth = info.birth_date
        elif birth != info.birth_date:
            errors["birth_date"] = f"出生日期与公民身份号码不符（号码中为{info.birth_date:%Y-%m-%d}）"
        gender = data.get("gender")
        if not gender:
            data["gender"] = info.sex
        elif gender != info.sex:
            errors["gender"] = "性别与公民身份号码不符（号码第17位{}）".format("为奇数，应为男" if info.sex == "M" else "为偶数，应为女")
    if birth and birth > now:
        errors["birth_date"] = "出生日期不能晚于今天"

    joined = data.get("joined_on")
    confirmed = data.get("confirmed_on")
    category = data.get("category")
    if joined is None:
        errors.setdefault("joined_on", "请填写入党日期")
    else:
        if joined > now:
            errors["joined_on"] = "入党日期不能晚于今天"
        elif birth and joined < add_years(birth, value(membership.MIN_AGE)):
            errors["joined_on"] = f"入党日期早于年满{value(membership.MIN_AGE)}周岁之日（{add_years(birth, value(membership.MIN_AGE)):%Y-%m-%d}）"
    if confirmed is not None:
        if confirmed > now:
            errors["confirmed_on"] = "转正日期不能晚于今天"
        elif joined and confirmed <= joined:
            errors["confirmed_on"] = "转正日期应晚于入党日期"
        if category == Category.PROBATIONARY:
            errors["confirmed_on"] = "预备党员不应有转正日期"

    phone = data.get("phone") or ""
    if "*" in phone:
        errors["phone"] = idcard.MASKED
    elif (message := phones.new_problem(
            phone, stored_phone if stored_phone is not None else getattr(instance, "phone", None))) is not None:
        errors["phone"] = message

    org = data.get("org")
    if org is not None and not org.is_branch:
        errors["org"] = f"“{org.name}”是{org.get_org_type_display()}，党员只能编入党支部、联合党支部或临时党支部"

    if (check_unique and data.get("status", Status.NORMAL) == Status.NORMAL and info is not None
            and "id_number" not in errors):
        from .models import Member

        clash = Member.objects.filter(id_number=info.number, status=Status.NORMAL)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        other = clash.select_related("org").first()
        if other is not None:
            errors["id_number"] = f"该公民身份号码已登记为“{other.org.name}”的党员{other.name}（组织关系转移请使用转接功能）"
    return errors
