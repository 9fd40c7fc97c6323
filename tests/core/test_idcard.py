import datetime as dt

import pytest

from dangjian.core import idcard


def test_known_valid_number():
    info = idcard.parse("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"


def test_lowercase_x_accepted_and_normalized():
    assert idcard.parse("11010519491231002x").number == "11010519491231002X"


def test_fullwidth_spaces_trimmed():
    assert idcard.parse("\u300011010519491231002X ").number == "11010519491231002X"


@pytest.mark.parametrize("bad,msg", [
    ("110105194912310021", "校验位"),
    ("1101051949123100", "18位"),
    ("11010519491331002X", "出生日期不存在"),
    ("A1010519491231002X", "前17位"),
    ("110105491231002", "15位的一代身份证号码"),  # an old card's number: the current one is asked for
    ("11010549123100", "实为14位"),
])
def test_invalid_numbers_have_chinese_reasons(bad, msg):
    with pytest.raises(idcard.IdNumberError, match=msg):
        idcard.parse(bad)


def test_make_builds_valid_numbers_with_sex():
    n = idcard.make("370102", dt.date(2000, 2, 29), 123)
    info = idcard.parse(n)
    assert info.sex == "M" and info.birth_date == dt.date(2000, 2, 29)


def test_masks():
    assert idcard.mask("370102198503120011") == "3701**********0011"
    assert idcard.mask_phone("13812341234") == "138****1234"
