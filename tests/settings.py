"""Test settings: the project's settings on an in-memory SQLite, or on PostgreSQL when
DANGJIAN_TEST_ON_PG=1 (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/dangjian_test)."""

import os
import tempfile

os.environ.setdefault("DANGJIAN_VAR_DIR", tempfile.mkdtemp(prefix="dangjian-test-"))
os.environ["DANGJIAN_TESTING"] = "1"

import dj_database_url  # noqa: E402

from dangjian.settings import *  # noqa: E402,F401,F403

if os.environ.get("DANGJIAN_TEST_ON_PG") == "1":
    DATABASES = {"default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/dangjian_test")}
    # The same test database under a second alias stands in for a read replica (tests/core/test_db_router.py).
    DATABASES["replica1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise wants the directory to exist
WHITENOISE_AUTOREFRESH = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # tasks run in-process
