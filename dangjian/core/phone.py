"""联系电话: the one mistake a roster's phone cell can be caught in for sure, a mobile number with a digit
too many or too few.

A cell may hold several numbers (“13800001111/0371-12345678”), a landline with its area code and
extension, or words (“13800001111（本人）”, “无”). Only a part made of digits alone (spaces, hyphens and
brackets aside, a leading +86 or 0086 taken off) that starts with 1 is checked: in China such a number is
a mobile number (landlines start with their 0 area code or, dialled locally, with 2–9; service numbers
such as 12345 are no member's phone), and a mobile number has 11 digits, the second being 3–9 (13x–19x).
A number with another country's code (+1 212 555 0100) and anything else is left as it was written: a
rule that refused real numbers would stop whole imports.
"""

import re

_SEPARATORS = re.compile(r"[/、,，;；]+|或")
_LAYOUT = re.compile(r"[-－—()（）.\s\u3000]")


def _digits(number: str) -> str | None:
    """The digits of one written number without its layout and country code; None if it holds anything else."""
    digits = _LAYOUT.sub("", number)
    plus = digits.startswith("+")
    digits = digits.removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        return None
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("86") and (plus or len(digits) == 13):
        return digits[2:]
    return None if plus else digits  # +1 …, +852 …: another country's numbering


def problem(text: str) -> str | None:
    """A Chinese message when `text` holds a number that starts with 1 and cannot be a mobile number;
    None when every part is plausible or is not checked."""
    text = text or ""
    if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1" and text[1] in "3456789":
        return None  # nearly every cell: one mobile number as it should be
    for part in _SEPARATORS.split(text):
        # spaces inside a number are layout (138 0000 1111, 0371-6392 1234-801), between numbers of ten
        # digits or more each a separator (13800001111 0371-63921234)
        words = part.split()
        numbers = words if len(words) > 1 and all(len(_digits(w) or "") >= 10 for w in words) else [part]
        for number in numbers:
            digits = _digits(number)
            if not digits or not digits.startswith("1"):
                continue
            shown = number.strip()
            if len(digits) != 11:
                return f"“{shown}”是{len(digits)}位，手机号码应为11位，请核对"
            if digits[1] not in "3456789":
                return f"“{shown}”不是手机号码（手机号码以13至19开头），请核对"
    return None


# The cells that hold one number `problem` refuses, as a regular expression the database runs (PostgreSQL's `~`,
# SQLite's REGEXP through Python's re): a 1 and then, spaces and hyphens aside, up to 9 digits, 11 or more, or 10
# digits after a second digit 0–2. The member list's 联系电话“待核对” filter finds the numbers typed before the
# check existed with it; a cell of several numbers or words is not matched (tests/core/test_phone.py).
SUSPECT_PATTERN = r"^1([ -]?[0-9]){0,9}$|^1([ -]?[0-9]){11,}$|^1[ -]?[0-2]([ -]?[0-9]){9}$"


def new_problem(text: str, kept: str | None = None) -> str | None:
    """`problem(text)` for a number that is new or changed: one the record already holds (`kept`) is left as it
    is, so a number typed before this check does not stop an unrelated edit or the re-import of a roster."""
    return problem(text) if text and text != kept else None
