"""Settings for Dispatch, read from the environment.

Development is the default: an SQLite file beside manage.py, DEBUG only when asked for.
`DJANGO_ENV=production` turns on the HTTPS-behind-a-proxy settings that `check --deploy` asks for.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development").lower() == "production"
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a long random string to run with DJANGO_ENV=production."
        )
    SECRET_KEY = "django-insecure-dispatch-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "applications",
    "entities",
]

MIDDLEWARE = [
    "dispatch_site.middleware.QueryCountHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dispatch_site.middleware.NulRefusedMiddleware",
    "entities.gateway.middleware.GatewayHostMiddleware",
    "dispatch_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dispatch_site.middleware.SessionCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dispatch_site.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "dispatch_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "applications.pages.switcher.navigation",
            ],
        },
    },
]

# Inputs and selects drawn in Python, the same HTML as Django's widget templates (entities/pages/markup.py).
FORM_RENDERER = "entities.pages.markup.WidgetRenderer"

WSGI_APPLICATION = "dispatch_site.wsgi.application"
ASGI_APPLICATION = "dispatch_site.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the run workers write at once: a transaction takes the write lock when it
    # starts (a read lock that cannot be upgraded later fails at once with "database is locked"), a
    # writer waits up to 20 s for it, and readers go on while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tests and the benchmark create their own databases; point them at a fresh one per run.
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
    # No parallel plans for the web's queries: every one is small, and starting the workers of a
    # parallel plan cost more than the query itself (an application's entity counts: 11.7 ms with
    # parallel workers against 1.2 ms without; even the count of all 480,000 entities is faster
    # serial, 18.6 ms against 21.7, on the benchmark's data). Concurrent requests hold the cores anyway.
    # The URL's own `options`, after it, may set it otherwise.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"-c max_parallel_workers_per_gather=0 {options.get('options', '')}".strip()
    # Values are sent apart from the SQL, and a statement run 5 times on a connection (psycopg's
    # default) is prepared there: PostgreSQL then stops planning it on every request. Planning was
    # 1.3 of the 1.5 ms an entity's get by name spent in PostgreSQL. A pooler in transaction mode
    # (PgBouncer) cannot keep prepared statements: DATABASE_PREPARED_STATEMENTS=0 turns this off.
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0":
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
    # Django's backend, with bulk writes cut to the 65,535 values a statement may then carry.
    DATABASES["default"]["ENGINE"] = "dispatch_site.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Two caches. "default" holds look-ups a process may keep to itself; "shared" holds what every worker
# must agree on and what must outlive a worker's restart: sign-in failure counts and the API's throttles.
# With REDIS_URL both are Redis; without it "default" is memory local to the process and "shared" a table
# of the database (made by migrate, applications/apps.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
_REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
CACHES = {
    "default": _REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": _REDIS_CACHE
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "dispatch_shared_cache",
        # Django culls a database cache past 300 entries: a flood of made-up usernames would wipe real counts.
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    },
}
# A sign-out must end the session for every worker. With Redis, sessions are read from the shared cache
# and written through to the database (a page saves a query); without it, from the database only: a
# copy in one process's memory would outlive a sign-out made through another process.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
SESSION_CACHE_ALIAS = "shared"

# Django's, reading a session's user with their memberships in one query (the access gate's).
AUTHENTICATION_BACKENDS = ["applications.backends.ModelBackend"]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The key that encrypts secret values at rest. Comma-separated Fernet keys: the first encrypts,
# all decrypt, so a key can be rotated. Unset, one key is derived from SECRET_KEY.
DISPATCH_SECRETS_KEYS = env_list("DISPATCH_SECRETS_KEYS")

# Per-kind scope overrides, e.g. DISPATCH_SCOPES='{"image": "many"}' in the environment (JSON);
# see applications/scopes.py. A system check refuses unknown kinds and scopes.
DISPATCH_SCOPES: dict[str, str] = json.loads(os.environ.get("DISPATCH_SCOPES") or "{}")

# Sign-in throttling (applications/signin.py): failed sign-ins allowed per username and per address
# within the window (seconds); then sign-ins for them get a 429 until the window ends.
DISPATCH_SIGN_IN_FAILURES = int(os.environ.get("DISPATCH_SIGN_IN_FAILURES", "5"))
DISPATCH_SIGN_IN_ADDRESS_FAILURES = int(os.environ.get("DISPATCH_SIGN_IN_ADDRESS_FAILURES", "20"))
DISPATCH_SIGN_IN_WINDOW = int(os.environ.get("DISPATCH_SIGN_IN_WINDOW", "900"))

# How many reverse proxies in front of the server append to X-Forwarded-For. The client's address is
# the one that many entries from the right; with 0 the header is ignored and REMOTE_ADDR is the client,
# since anyone can send the header. Every throttle and the sign-in counts use it (applications/throttling.py).
DISPATCH_TRUSTED_PROXIES = int(os.environ.get("DISPATCH_TRUSTED_PROXIES", "0"))
if DISPATCH_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("DISPATCH_TRUSTED_PROXIES is a count of proxies: 0 or more.")

# Sent with every response (dispatch_site/middleware.py), unless DEBUG; empty to send none.
# {inline_styles} becomes the hashes of the admin's and Swagger UI's inline <style> blocks.
DISPATCH_CONTENT_SECURITY_POLICY = os.environ.get(
    "DISPATCH_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' {inline_styles}; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

# Bounds on what a request may make the server parse (dispatch_site/parsing.py): the bytes of an API or
# bundle body (a 413 beyond), the levels of nesting of JSON and YAML, and the values (keys included) of
# a JSON body or a YAML bundle, each YAML alias counted at the size of what it repeats (a 400 beyond).
DISPATCH_MAX_BODY_BYTES = int(os.environ.get("DISPATCH_MAX_BODY_BYTES", "10000000"))
DISPATCH_MAX_NESTING = int(os.environ.get("DISPATCH_MAX_NESTING", "100"))
DISPATCH_MAX_VALUES = int(os.environ.get("DISPATCH_MAX_VALUES", "50000"))
# Prometheus scrapes /metrics with `Authorization: Bearer <token>` (applications/prometheus.py); empty: the
# endpoint is off (404). The figures are computed from the database and kept this many seconds.
DISPATCH_METRICS_TOKEN = os.environ.get("DISPATCH_METRICS_TOKEN", "")
DISPATCH_METRICS_CACHE_SECONDS = int(os.environ.get("DISPATCH_METRICS_CACHE_SECONDS", "60"))

# Function runs (entities/runs/): async runs are tasks on Django's task API. The database backend is
# the embedded default (`manage.py db_worker`); with REDIS_URL, RQ on Redis (`manage.py rqworker`), whose
# workers can run on any number of machines.
if os.environ.get("REDIS_URL"):
    INSTALLED_APPS.append("django_rq")
    # No time limit of RQ's own (180 s unless told): it would kill a run its function allows longer
    # (Function.timeout, up to a day), which the sandbox already ends at that timeout.
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": -1}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Limits of the sandbox over entities/runs/sandbox.py's defaults, as JSON, e.g.
# DISPATCH_RUN_LIMITS='{"timeout_ms": 10000, "memory_mb": 256, "processes": 32}'.
DISPATCH_RUN_LIMITS: dict[str, int] = json.loads(os.environ.get("DISPATCH_RUN_LIMITS") or "{}")

# Benchmarks only: answer every request with an X-DB-Queries header.
DISPATCH_QUERY_COUNT_HEADER = env_bool("DISPATCH_QUERY_COUNT_HEADER")

# Events (entities/events/): the largest data an event may carry, and how long the event log keeps
# events: at most _DAYS days and _COUNT events per application (0 turns a limit off).
DISPATCH_EVENT_MAX_BYTES = int(os.environ.get("DISPATCH_EVENT_MAX_BYTES", str(1024 * 1024)))
DISPATCH_EVENT_RETENTION_DAYS = int(os.environ.get("DISPATCH_EVENT_RETENTION_DAYS", "7"))
DISPATCH_EVENT_RETENTION_COUNT = int(os.environ.get("DISPATCH_EVENT_RETENTION_COUNT", "10000"))
# The API gateway (entities/gateway/): calls per application and window, e.g. 600/minute; and the host
# names (Django's ALLOWED_HOSTS patterns, e.g. .apis.example.com) on which APIs answer by their `hosts`.
DISPATCH_GATEWAY_RATE = os.environ.get("DISPATCH_GATEWAY_RATE", "600/minute")
DISPATCH_GATEWAY_HOSTS = env_list("DISPATCH_GATEWAY_HOSTS")
ALLOWED_HOSTS += DISPATCH_GATEWAY_HOSTS

# The REST API (entities/api/): token or session, JSON only, one error shape, limit/offset pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "entities.api.authentication.TokenAuthentication",  # first: anonymous calls get a 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["entities.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "entities.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "entities.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "entities.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["applications.throttling.ScopedRateThrottle"],
    "NUM_PROXIES": DISPATCH_TRUSTED_PROXIES,  # for DRF's own throttles; ours ask applications/throttling.py
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("DISPATCH_AUTH_RATE", "30/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNICODE_JSON": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Dispatch API",
    "DESCRIPTION": (
        "Application-scoped management of serverless resources. Every error is "
        '`{"code", "message", "errors"}`; send `Authorization: Token <key>` (or `Bearer <key>`).'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # local static files, no CDN: works offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "applications.models.Status",
        "RoleEnum": "applications.models.Role",
        "LanguageEnum": "entities.models.Language",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "dispatch_site.log.NoTracebackBelow500"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own console handler (under DEBUG) printed each of its lines a second time beside the root's.
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
