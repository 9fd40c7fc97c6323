"""`dangjian demo` and `dangjian demo_logins` as make setup / make run call them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.members.models import Member
from dangjian.orgs.models import Org


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_and_reports():
    text = run("demo", "--size", "small", "--seed", "2", "--today", "2025-06-30")
    assert "已加载演示城市“青山市”" in text and "demo_logins" in text
    assert Org.objects.filter(code="3799", name="中共青山市委员会").exists()
    assert 420 <= Member.objects.count() <= 620


@pytest.mark.django_db
def test_demo_json_output():
    data = json.loads(run("demo", "--size", "small", "--today", "2025-06-30", "--format", "json"))
    assert data["loaded"] is True and data["size"] == "small" and data["members"] == Member.objects.count()


@pytest.mark.django_db
def test_demo_refuses_a_database_that_is_not_empty(tree):
    with pytest.raises(CommandError, match="数据库不是空的"):
        run("demo", "--size", "small")


@pytest.mark.django_db
def test_demo_if_empty_skips_with_a_message(tree):
    text = run("demo", "--if-empty", "--size", "small")
    assert "跳过" in text
    assert Org.objects.count() == 7


@pytest.mark.django_db
def test_demo_refuses_a_future_reference_date():
    with pytest.raises(CommandError, match="参考日期不能晚于今天"):
        run("demo", "--size", "small", "--today", "2999-01-01")
    with pytest.raises(CommandError, match="无效"):
        run("demo", "--size", "small", "--today", "2025-13-01")


@pytest.mark.django_db
def test_demo_logins_lists_every_account_with_password_and_scope():
    run("demo", "--size", "small", "--today", "2025-06-30")
    text = run("demo_logins")
    for username in ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member"]:
        assert username in text
    assert "demo12345" in text and "中共青山市委员会" in text and "只读" in text and "本人" in text
    data = json.loads(run("demo_logins", "--format", "json"))
    assert data["loaded"] is True and len(data["logins"]) == 7
    assert all(r["password"] == "demo12345" for r in data["logins"])


@pytest.mark.django_db
def test_demo_logins_notices_a_changed_password():
    from dangjian.accounts.models import User

    run("demo", "--size", "small", "--today", "2025-06-30")
    u = User.objects.get(username="viewer")
    u.set_password("changed-pw-1")
    u.save()
    rows = {r["username"]: r for r in json.loads(run("demo_logins", "--format", "json"))["logins"]}
    assert rows["viewer"]["password"] is None and rows["member"]["password"] == "demo12345"
    assert "（密码已修改）" in run("demo_logins")


@pytest.mark.django_db
def test_demo_logins_without_demo_says_so(tree):
    assert "演示数据未加载" in run("demo_logins")
    assert json.loads(run("demo_logins", "--format", "json")) == {"loaded": False, "logins": []}


@pytest.mark.django_db
def test_demo_if_empty_loads_into_an_empty_database():
    assert "已加载" in run("demo", "--if-empty", "--size", "small", "--today", "2025-06-30")
    assert "跳过" in run("demo", "--if-empty", "--size", "small", "--today", "2025-06-30")
