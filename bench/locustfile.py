"""Locust users for bench/api_load.py: each is a county admin reading the API with a token (plan in BENCH_API_PLAN)."""

import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_API_PLAN"]).read())  # noqa: SIM115 - read once at import
_next = iter(range(10**9))


class CountyAdmin(HttpUser):
    wait_time = between(*PLAN["wait"])

    def on_start(self):
        me = PLAN["admins"][next(_next) % len(PLAN["admins"])]
        self.county, self.branches = me["county"], me["branches"] or [me["county"]]
        self.client.headers.update({"Authorization": f"Token {me['token']}"})

    @task(5)
    def county_members(self):
        self.client.get(f"/api/v1/members/?org={self.county}", name="/api/v1/members/?org=<county>")

    @task(3)
    def branch_members(self):
        self.client.get(f"/api/v1/members/?org={random.choice(self.branches)}", name="/api/v1/members/?org=<branch>")

    @task(2)
    def suborganizations(self):
        self.client.get(f"/api/v1/orgs/?parent={self.county}", name="/api/v1/orgs/?parent=<county>")
