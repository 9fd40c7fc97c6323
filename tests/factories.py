"""A small named cast, built through the action layer (so counters and audit are exercised too)."""

import datetime as dt
import itertools

from dangjian.accounts.models import Grant, User
from dangjian.core import idcard
from dangjian.members import actions as member_actions
from dangjian.orgs import actions as org_actions

_seq = itertools.count(1)


def make_org(code, name, org_type="branch", parent=None, domain="rural", **extra):
    return org_actions.create_org({"code": code, "name": name, "org_type": org_type, "domain": domain, **extra}, parent=parent)


def make_member(org, name="张伟", *, gender="M", birth=dt.date(1985, 3, 12), category="full",
                joined=dt.date(2010, 7, 1), confirmed=dt.date(2011, 7, 1), **extra):
    n = next(_seq)
    seq = (n * 2 + (1 if gender == "M" else 0)) % 1000
    if (seq % 2 == 1) != (gender == "M"):
        seq = (seq + 1) % 1000
    data = {
        "org": org, "name": name, "gender": gender, "ethnicity": "汉族",
        "id_number": idcard.make("370102", birth, seq), "birth_date": birth, "education": "bachelor",
        "category": category, "joined_on": joined, "confirmed_on": confirmed if category == "full" else None,
        "job": "村民", "phone": f"1380000{n:04d}",
    }
    data.update(extra)
    return member_actions.create_member(data)


def make_user(username, role=None, org=None, **extra):
    user = User.objects.create_user(username=username, password="pw-" + username, display_name=extra.pop("display_name", username))
    if role:
        Grant.objects.create(user=user, role=role, org=org)
    return user


def api_client(user=None):
    """An APIClient logged in as `user` (none: anonymous), authentication itself not under test."""
    from rest_framework.test import APIClient

    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def token_client(user=None):
    """An APIClient authenticated the way scripts are: `Authorization: Token <key>` (none: anonymous)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    c = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c
