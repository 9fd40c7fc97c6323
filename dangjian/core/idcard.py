"""公民身份号码 (GB 11643-1999): checksum, birth date and sex.

18 characters: 6-digit area code, 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male,
even = female), and a check character computed by ISO 7064 MOD 11-2 (0-9 or X).
"""

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """A Chinese message that says what is wrong with the number."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def normalize(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").replace("\u3000", "").upper()


MASKED = "号码中有“*”：这是隐去了中间几位的号码（如按权限打码的导出文件中的），请填写完整的号码"


def parse(raw: str) -> IdInfo:
    number = normalize(raw)
    if "*" in number:
        raise IdNumberError(MASKED)
    if len(number) == 15 and number.isdigit():
        # A first-generation card's number (valid until 2013). It is not widened here: the 18-digit number issued
        # since may differ from the mechanical one (area codes changed), and only the card says which it is.
        raise IdNumberError("这是15位的一代身份证号码，请改填本人现用的18位公民身份号码")
    if len(number) != 18:
        raise IdNumberError(f"公民身份号码应为18位，实为{len(number)}位")
    if not _SHAPE.match(number):
        raise IdNumberError("公民身份号码前17位须为数字，最后一位为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("公民身份号码中的出生日期不存在") from None
    if birth.year < 1900:
        raise IdNumberError("公民身份号码中的出生日期早于1900年")
    if number[17] != check_char(number[:17]):
        raise IdNumberError("公民身份号码校验位错误，请核对号码")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex)


def make(area: str, birth: dt.date, seq: int) -> str:
    """Build a valid number (demo data, tests). `seq` 0-999; odd is male."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(number: str) -> str:
    """3701**********1234: the area's first four and the last four."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****1234 for mobile numbers; other numbers keep their last four."""
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]
