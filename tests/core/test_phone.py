"""联系电话: only a number that must be a mobile number and cannot be one is refused."""

import pytest

from dangjian.core.phone import problem


@pytest.mark.parametrize("text", [
    "", "13800001234", "19912345678", "138-0000-1234", "138 0000 1234", "+86 138 0000 1234", "8613800001234",
    "0086 13800001234", "0371-63921234", "037163921234", "63921234", "0371-6392 1234-801",
    "13800001234/0371-63921234", "13800001234、13900005678", "13800001234 13900005678", "13800001234（本人）",
    "无", "同上", "本人手机1380000123",  # words: left as written
    "+1 212 555 0100", "+852 9123 4567",  # another country's numbering
])
def test_numbers_as_rosters_write_them_pass(text):
    assert problem(text) is None


@pytest.mark.parametrize(("text", "message"), [
    ("1380000123", "“1380000123”是10位，手机号码应为11位，请核对"),
    ("138000012345", "“138000012345”是12位，手机号码应为11位，请核对"),
    ("138 0000 123", "“138 0000 123”是10位，手机号码应为11位，请核对"),
    ("+86 138 0000 123", "“+86 138 0000 123”是10位，手机号码应为11位，请核对"),
    ("0371-63921234/1390000567", "“1390000567”是10位，手机号码应为11位，请核对"),
    ("13800001234 1390000567", "“1390000567”是10位，手机号码应为11位，请核对"),
    ("12345678901", "“12345678901”不是手机号码（手机号码以13至19开头），请核对"),
    ("10086123456", "“10086123456”不是手机号码（手机号码以13至19开头），请核对"),
])
def test_a_number_starting_with_1_must_be_an_11_digit_mobile_number(text, message):
    assert problem(text) == message


@pytest.mark.parametrize("text", [
    "1380000123", "138000012345", "138 0000 123", "138-0000-12345", "12345678901", "10086123456", "1", "13",
    "13800001234", "138 0000 1234", "138-0000-1234", "19912345678", "0371-63921234", "63921234", "",
    "+86 13800001234", "13800001234/0371-63921234", "13800001234（本人）", "无",
])
def test_the_databases_pattern_finds_the_single_numbers_problem_refuses(text):
    """The list's 待核对 filter runs SUSPECT_PATTERN in the database: for a cell of one number written with spaces or
    hyphens it agrees with `problem`; cells of several numbers or words it does not match."""
    import re

    from dangjian.core.phone import SUSPECT_PATTERN

    single = re.fullmatch(r"[0-9 -]*", text) is not None
    assert (re.search(SUSPECT_PATTERN, text) is not None) == (single and problem(text) is not None)
