import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangjian.core import idcard
from dangjian.members import actions
from dangjian.members.models import Member
from tests.factories import make_member


def data(org, **kw):
    birth = kw.pop("birth", dt.date(1990, 1, 15))
    d = {"org": org, "name": "孙丽", "gender": "F", "ethnicity": "汉族", "id_number": idcard.make("370102", birth, 22),
         "birth_date": birth, "education": "college", "category": "full", "joined_on": dt.date(2015, 6, 1),
         "confirmed_on": dt.date(2016, 6, 1)}
    d.update(kw)
    return d


def errors_of(org, **kw):
    with pytest.raises(ValidationError) as e:
        actions.create_member(data(org, **kw))
    return e.value.message_dict


def test_valid_member_created_and_counted(tree):
    m = actions.create_member(data(tree.b1))
    assert m.name_pinyin == "sunli" and m.name_initials == "sl"
    tree.b1.refresh_from_db()
    assert tree.b1.direct_full == 1


def test_a_padded_name_is_kept_as_the_id_card_writes_it(tree):
    assert actions.create_member(data(tree.b1, name="孙　丽")).name == "孙丽"
    m = actions.create_member(data(tree.b1, name="阿依古丽•买买提", id_number=idcard.make("650102", dt.date(1990, 1, 15), 24)))
    assert m.name == "阿依古丽·买买提"
    actions.update_member(m, {"name": "阿依古丽 . 买买提"})
    assert m.name == "阿依古丽·买买提" and m.history.count() == 1  # the same name: nothing changed


def test_bad_checksum(tree):
    assert "校验位" in errors_of(tree.b1, id_number="370102199001150021")["id_number"][0]


def test_lowercase_x_is_accepted(tree):
    n = idcard.make("370102", dt.date(1990, 1, 15), 22)
    m = actions.create_member(data(tree.b1, id_number=n.lower()))
    assert m.id_number == n


def test_birth_date_and_sex_must_agree_with_id(tree):
    e = errors_of(tree.b1, birth_date=dt.date(1990, 1, 16), gender="M")
    assert "出生日期与公民身份号码不符" in e["birth_date"][0]
    assert "性别与公民身份号码不符" in e["gender"][0]


def test_joined_before_18th_birthday(tree):
    e = errors_of(tree.b1, joined_on=dt.date(2008, 1, 14), confirmed_on=dt.date(2009, 1, 14))
    assert "年满18周岁" in e["joined_on"][0]


def test_joined_on_18th_birthday_is_fine(tree):
    actions.create_member(data(tree.b1, joined_on=dt.date(2008, 1, 15), confirmed_on=dt.date(2009, 1, 15)))


@time_machine.travel(dt.date(2026, 11, 22))
def test_no_future_dates(tree):
    e = errors_of(tree.b1, joined_on=dt.date(2026, 11, 23), category="probationary", confirmed_on=None)
    assert "不能晚于今天" in e["joined_on"][0]


def test_confirmed_must_follow_joined(tree):
    e = errors_of(tree.b1, confirmed_on=dt.date(2015, 6, 1))
    assert "转正日期应晚于入党日期" in e["confirmed_on"][0]


def test_probationary_has_no_confirmation(tree):
    e = errors_of(tree.b1, category="probationary")
    assert "预备党员不应有转正日期" in e["confirmed_on"][0]


def test_member_only_in_branch(tree):
    assert "只能编入党支部" in errors_of(tree.town)["org"][0]


def test_active_id_number_unique(tree):
    actions.create_member(data(tree.b1))
    assert "已登记为“城关镇东村党支部”的党员" in errors_of(tree.b2)["id_number"][0]


def test_id_reusable_after_member_left(tree):
    m = actions.create_member(data(tree.b1))
    actions.change_status(m, "transferred_out", reason="转往外省", on=dt.date(2024, 1, 1))
    actions.create_member(data(tree.b2))
    assert Member.objects.filter(id_number=m.id_number).count() == 2


def test_status_change_needs_reason_and_updates_counts(cast):
    m = cast.m1
    with pytest.raises(ValidationError):
        actions.change_status(m, "deceased", reason=" ", on=dt.date(2024, 1, 1))
    actions.change_status(m, "deceased", reason="病故", on=dt.date(2024, 1, 1))
    cast.tree.city.refresh_from_db()
    assert cast.tree.city.subtree_full == 2
    assert Member.objects.filter(pk=m.pk).exists()  # never deleted


def test_update_records_history_and_changed_fields(cast):
    m = cast.m1
    changed = actions.update_member(m, {"phone": "13900001111", "education": "postgraduate"})
    assert set(changed) == {"phone", "education"}
    assert m.history.count() == 3  # created, linked to user, updated
    assert actions.update_member(m, {"phone": "13900001111"}) == []


def test_category_change_moves_counter(cast):
    m2 = cast.m2
    actions.update_member(m2, {"category": "full", "confirmed_on": dt.date(2026, 6, 1)})
    cast.tree.b1.refresh_from_db()
    assert (cast.tree.b1.direct_full, cast.tree.b1.direct_probationary) == (2, 0)


def test_factory_members_valid(tree):
    make_member(tree.b1, "欧阳修")


@pytest.mark.parametrize(("text", "value"), [
    ("大学本科", "bachelor"), ("本科", "bachelor"), ("硕士", "postgraduate"),
    ("在职研究生", "postgraduate"), ("大学本科（函授）", "bachelor"), ("大专(在职)", "college"), ("全日制大学", "bachelor"),
    ("中央党校研究生", "postgraduate"), ("省委党校大学", "bachelor"), ("省（区、市）委党校研究生", "postgraduate"),
    ("县委党校大专", "college"), ("市委党校大学本科", "bachelor"), ("中等专科", "vocational"), ("中 专", "vocational"),
    ("幼儿园", None), ("党校", None), ("在职", None), ("", None),
])
def test_education_as_rosters_write_it(text, value):
    from dangjian.members.choices import education_from_text

    assert education_from_text(text) == value


def test_a_masked_number_is_named_as_such(tree):
    assert "隐去了中间几位" in errors_of(tree.b1, id_number="3701**********0022")["id_number"][0]
    assert "隐去了中间几位" in errors_of(tree.b1, phone="138****1234")["phone"][0]


def test_a_mobile_number_with_a_digit_too_few_is_refused_but_a_stored_one_is_not_held_against_other_edits(tree):
    assert errors_of(tree.b1, phone="1380000123")["phone"] == ["“1380000123”是10位，手机号码应为11位，请核对"]
    m = actions.create_member(data(tree.b1, phone="13800001234"))
    Member.objects.filter(pk=m.pk).update(phone="1380000123")  # kept from before the check
    m.refresh_from_db()
    actions.update_member(m, {"job": "会计"})
    assert (m.job, m.phone) == ("会计", "1380000123")
    with pytest.raises(ValidationError) as e:
        actions.update_member(m, {"phone": "138000012345"})
    assert e.value.message_dict["phone"] == ["“138000012345”是12位，手机号码应为11位，请核对"]
    actions.update_member(m, {"phone": "13800001235"})
    assert m.phone == "13800001235"
