"""Locust readers of the public disclosure pages (used by bench/disclosure.py; loopback only).

Each simulated villager opens an organization's /gk/ page or one of its items about once a second. The paths come
from the environment (GK_PATHS, comma separated), written by bench/disclosure.py from the generated data.

FastHttpUser (geventhttpclient), not HttpUser (python-requests): the readers share the two cores with the server,
and requests' per-call overhead showed in the figure — on a quiet machine the same cached pages measured a median
of 76 ms with HttpUser while gunicorn spent ~1 ms on each (see bench/README.md).
"""

import os
import random

from locust import FastHttpUser, constant_pacing, task

PATHS = [p for p in os.environ.get("GK_PATHS", "").split(",") if p]


class Villager(FastHttpUser):
    wait_time = constant_pacing(1)

    @task
    def read(self):
        path = random.choice(PATHS)
        # Group by page kind so the stats show the org pages and the item pages separately.
        name = "/gk/[code]/" if path.count("/") == 3 else "/gk/[code]/[id]/"
        self.client.get(path, name=name)
