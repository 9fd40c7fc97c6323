"""Locust readers of the public disclosure pages (used by bench/disclosure.py; loopback only).

Each simulated villager opens an organization's /gk/ page or one of its items about once a second. The paths come
from the environment (GK_PATHS, comma separated), written by bench/disclosure.py from the generated data.
"""

import os
import random

from locust import HttpUser, constant_pacing, task

PATHS = [p for p in os.environ.get("GK_PATHS", "").split(",") if p]


class Villager(HttpUser):
    wait_time = constant_pacing(1)

    @task
    def read(self):
        path = random.choice(PATHS)
        # Group by page kind so the stats show the org pages and the item pages separately.
        name = "/gk/[code]/" if path.count("/") == 3 else "/gk/[code]/[id]/"
        self.client.get(path, name=name)
