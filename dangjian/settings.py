"""Settings, driven by the environment (see CONTRACT.md "Configuration").

Safe defaults for the demo: SQLite under var/, a secret key generated once into var/secret_key.
Bad values fail loudly at start-up rather than half-working.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def _secret_key() -> str:
    key = os.environ.get("DANGJIAN_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DANGJIAN_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
if os.environ.get("DANGJIAN_TESTING") == "1":
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (intranets have no CDN)
    "django_filters",
    "django_htmx",
    "simple_history",
    "treebeard",
    "django_tasks",
    "django_tasks_db",  # task queue in the database: large roster imports run in `dangjian db_worker`
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.io",
    "dangjian.orglife",
    "dangjian.transfers",
    "dangjian.dues",
    "dangjian.disclosure",
    "dangjian.recruitment",
    "dangjian.micropower",
    "dangjian.reports",
    "dangjian.assessments",
    "dangjian.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}",
        conn_max_age=int(os.environ.get("DANGJIAN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, and the planner's statistics kept as connections close (see core/sqlite_backend/base.py).
    DATABASES["default"]["ENGINE"] = "dangjian.core.sqlite_backend"
    # WAL lets the web server read while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

# A shared cache across app servers when DANGJIAN_REDIS_URL is set (redis://host:6379/0); per-process otherwise.
if os.environ.get("DANGJIAN_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["DANGJIAN_REDIS_URL"], "KEY_PREFIX": "dangjian"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Background tasks (django-tasks): queued in the database, run by `dangjian db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Web imports of files with more data rows than this are checked and written in the background.
DANGJIAN_IMPORT_SYNC_MAX_ROWS = int(os.environ.get("DANGJIAN_IMPORT_SYNC_MAX_ROWS", "5000"))
# Member list exports (the page's button) of more members than this are written in the background (about 3 s of
# .xlsx per 200,000 rows in the request below it).
DANGJIAN_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("DANGJIAN_EXPORT_SYNC_MAX_ROWS", "200000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "dangjian.web.errors.csrf_failure"  # a Chinese page, not Django's English one
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG and env_bool("DANGJIAN_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Joining the browsers' HSTS preload list is the domain owner's decision, not the application's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dangjian.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dangjian.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian 智慧党建平台 API",
    "DESCRIPTION": "组织、党员等接口。认证方式: Authorization: Token <token>。超出权限范围的对象返回 404。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps name a field "category" or "status" with different choices: give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "MemberCategoryEnum": "dangjian.members.choices.Category",
        "MemberStatusEnum": "dangjian.members.choices.Status",
        "DisclosureCategoryEnum": "dangjian.disclosure.models.Category",
        "DisclosureStatusEnum": "dangjian.disclosure.models.Status",
        "TransferStatusEnum": "dangjian.transfers.models.Status",
        "DuesCategoryEnum": "dangjian.dues.models.CATEGORY_CHOICES",
        "MeetingKindEnum": "dangjian.orglife.models.KIND_CHOICES",
        "AttendanceStatusEnum": "dangjian.orglife.models.AttendanceStatus",
        "VoteKindEnum": "dangjian.orglife.models.VOTE_KIND_CHOICES",
        "ImportJobStatusEnum": "dangjian.io.models.ImportJob.Status",
        "ImportJobKindEnum": "dangjian.io.models.ImportJob.Kind",
        "ImportRowOutcomeEnum": "dangjian.io.result.OUTCOME_CHOICES",
        "RecruitmentOutcomeEnum": "dangjian.recruitment.models.Outcome",
        "StatusCaseKindEnum": "dangjian.members.models.CaseKind",
        "StatusCaseStatusEnum": "dangjian.members.models.CaseStatus",
        "FollowUpOutcomeEnum": "dangjian.members.models.FollowUpOutcome",
        "DisposalOutcomeEnum": "dangjian.members.models.DisposalOutcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dangjian.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "dangjian.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_bool("DANGJIAN_LOG_JSON", False) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DANGJIAN_LOG_LEVEL", "WARNING")},
}

# Local rule parameters (see dangjian/rules/): overridable per deployment.
DANGJIAN_RULES = {}

# Read replicas (dangjian/core/db_router.py, docs/deployment.md): comma-separated URLs of hot standbys.
DANGJIAN_REPLICA_PIN_SECONDS = int(os.environ.get("DANGJIAN_REPLICA_PIN_SECONDS", "10"))
if os.environ.get("DANGJIAN_REPLICA_URLS", "").strip():
    from dangjian.core.db_router import replica_databases

    _replicas = replica_databases(os.environ["DANGJIAN_REPLICA_URLS"], DATABASES["default"],
                                  conn_max_age=int(os.environ.get("DANGJIAN_CONN_MAX_AGE", "0")))
    DATABASES.update(_replicas)
    DANGJIAN_REPLICAS = list(_replicas)
    DATABASE_ROUTERS = ["dangjian.core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("dangjian.core.middleware.RequestIdMiddleware") + 1,
                      "dangjian.core.db_router.ReplicaPinMiddleware")
