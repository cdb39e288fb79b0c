"""Settings of the CST Portal, read from environment variables, each assigned once, top to bottom.

Every value has a safe default for the demo (SQLite and a broker that needs no server, both under var/);
production sets DATABASE_URL, REDIS_URL, CACHE_URL, SECRET_KEY, ALLOWED_HOSTS and the HTTPS variables. The benchmark
and the tests that need other values have settings modules of their own (bench/settings.py, tests/…/settings.py)
that start from this one.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_required("SECRET_KEY", when=not DEBUG, default="cstpu-demo-insecure-key-only-for-debug")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Trusted reverse proxies in front of the web tier. 0: the client address is REMOTE_ADDR and X-Forwarded-For is
# ignored (a forged header must not give each forged address a fresh throttling quota or login lockout).
PROXY_COUNT = env_int("PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "csp",
    "django_htmx",
    "cstportal",
    "cstportal.notifications",
    "cstportal.apitokens",
    "municipalities",
    "catalog",
]

MIDDLEWARE = [
    "cstportal.lost_connection.RetryReadsMiddleware",  # outermost: a retried read goes through everything again
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "cstportal.middleware.RequestSizeLimitMiddleware",  # 413 before anything reads an oversized body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cstportal.middleware.StaffIdleTimeoutMiddleware",  # needs the user and the messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "cstportal.api.middleware.ApiJsonErrorsMiddleware",  # errors under /api/ that no API view produced become JSON
]

ROOT_URLCONF = "cstportal.urls"
WSGI_APPLICATION = "cstportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cstportal.context_processors.portal",
                "cstportal.notifications.context_processors.bell",
            ],
        },
    },
]

# A body's page is the registry's (municipalities/body_detail.html) extended by the catalogue with what the body
# publishes and uses (its `body_extra` block): the registry renders the template named here and knows no app.
BODY_DETAIL_TEMPLATE = "catalog/bodies/body_detail.html"

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
IS_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://"))
_database = dj_database_url.parse(
    DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60) if IS_POSTGRES else 0, conn_health_checks=IS_POSTGRES
)
DATABASES = {
    "default": {
        **_database,
        # SQLite: WAL lets readers and one writer work at once; the timeout makes a second writer wait, not fail.
        "OPTIONS": _database.get("OPTIONS", {}) if IS_POSTGRES else {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "municipalities.User"

# --- Cache ----------------------------------------------------------------------------------------------------
CACHE_URL = env_str("CACHE_URL", "")
# After a cache error each process goes without the cache for this long before it tries Redis again.
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 30)
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {
            # Django's RedisCache behind a circuit breaker: with Redis unreachable the portal runs as with an empty
            # cache, waiting at most one socket timeout per process every CACHE_RETRY_SECONDS (cstportal/cache.py).
            "BACKEND": "cstportal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cstportal"}}

# --- Authentication -------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: lock a user from one IP after repeated failures, for a while, never for ever.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
# Keep one row per failed login (who, from where, when, locked or not) next to axes' running counter, so every
# attempt stays on record after a successful login resets the counter.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# CST staff are logged out after this long without a request (requests to the paths below do not count).
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_IDLE_IGNORED_PATHS: list[str] = env_list("STAFF_IDLE_IGNORED_PATHS")

# --- Internationalisation -------------------------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap-italia", NODE_MODULES / "bootstrap-italia" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Catalogo del riuso CST <noreply@cstpu.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap Italia and Chart.js set style attributes from JavaScript.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],  # Bootstrap Italia embeds one icon font
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# A declared request body above this is refused with 413 before anything reads it (the proxy caps it too).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 4 * 1024 * 1024)
# URLs the portal fetches for someone (import by URL, harvesting, webhooks) may not lead to a private, loopback or
# link-local address (cstportal/fetch.py), except on these hosts, comma-separated: e.g. the CST's own git server
# (the only hosts a harvest also reaches over plain http; 127.0.0.1 in the tests). Empty: public https only.
FETCH_ALLOWED_HOSTS = env_list("FETCH_ALLOWED_HOSTS")

# --- Anonymous page cache (cstportal/anon_cache.py) ----------------------------------------------------------
# Pages decorated with cstportal.anon_cache.cache_anonymous are cached per URL for anonymous visitors; the app that
# owns the data says which changes make them stale (catalog/caching.py). 0 turns the cache off: the default with
# DEBUG (development and tests), where a page must show the template just edited and the data of the current test.
# On by default only with a cache shared by every process (CACHE_URL): with per-process caches an invalidation made
# by one web process would not reach the pages another one keeps.
ANON_CACHE_SECONDS = env_int("ANON_CACHE_SECONDS", 300 if CACHE_URL and not DEBUG else 0)
# Each process keeps its last pages in memory and re-reads the shared versions at most this often: an invalidation
# reaches the other processes within that many seconds.
ANON_CACHE_LOCAL_ENTRIES = env_int("ANON_CACHE_LOCAL_ENTRIES", 128)
ANON_CACHE_VERSION_CHECK_SECONDS = float(env_str("ANON_CACHE_VERSION_CHECK_SECONDS", "1") or 1)
# A request header that makes the page cache step aside (the benchmark sets one to measure views uncached).
ANON_CACHE_BYPASS_HEADER = ""

# --- Solution list and detail of the REST API (catalog/api/etag.py) ------------------------------------------
# With a cache shared by every process (CACHE_URL), the ETags come from the catalogue's change version, so that a
# conditional GET reads no table; without one, a process would not see another's changes, and they come from the
# data. The anonymous answers are kept under their ETag for API_CACHE_SECONDS (0 turns that off).
API_ETAG_FROM_VERSION = bool(CACHE_URL)
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", ANON_CACHE_SECONDS)
# PostgreSQL memory for each sort and hash while the dashboards' figures are computed (catalog/dashboards/stats.py).
FIGURES_WORK_MEM = env_str("FIGURES_WORK_MEM", "64MB")

# --- Celery ---------------------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CELERY_DATA_DIR = Path(env_str("CELERY_DATA_DIR", str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "visibility_timeout": 3600,
        "max_retries": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# The outboxes the relay publishes: each model (rows with `due_at` and `published_at`) with the task that does a
# row's work, given the row's id. Reports people ask for are queued as rows too.
OUTBOXES = {
    "notifications.Delivery": "notifications.send_delivery",
    "catalog.Report": "catalog.run_report",
    "catalog.HarvestRun": "catalog.run_harvest",
    "catalog.WebhookDelivery": "catalog.send_webhook_delivery",
}
# The relay publishes due outbox rows every few seconds (beat) or in `manage.py relay_outbox --loop`.
NOTIFICATION_RELAY_INTERVAL_SECONDS = env_int("NOTIFICATION_RELAY_INTERVAL_SECONDS", 5)
NOTIFICATION_RELAY_BATCH = env_int("NOTIFICATION_RELAY_BATCH", 200)
# A published row whose message got lost (broker restarted empty) is published again after this long.
NOTIFICATION_REPUBLISH_AFTER_SECONDS = env_int("NOTIFICATION_REPUBLISH_AFTER_SECONDS", 600)
# A row left `sending` by a killed worker is taken over after this long; must exceed the send task's time limit.
NOTIFICATION_SENDING_TIMEOUT_SECONDS = env_int("NOTIFICATION_SENDING_TIMEOUT_SECONDS", 180)
# Retries of a transient e-mail failure wait BASE·2^(n-1) seconds, capped at MAX; after MAX_RETRIES the delivery is
# marked failed and shown to CST staff.
NOTIFICATION_MAX_RETRIES = env_int("NOTIFICATION_MAX_RETRIES", 5)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600)
# Webhook deliveries (catalog/webhooks) retry on the schedule above. A webhook whose deliveries fail this many
# attempts in a row is disabled until its owner enables it again; each POST waits at most WEBHOOK_TIMEOUT_SECONDS.
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 10)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOKS_PER_PERSON = env_int("WEBHOOKS_PER_PERSON", 10)
CELERY_BEAT_SCHEDULE = {
    "notifications-relay-outbox": {
        "task": "notifications.relay_outbox",
        "schedule": float(NOTIFICATION_RELAY_INTERVAL_SECONDS),
        # A relay tick that waited in the queue longer than this is pointless: the next one is already on its way.
        "options": {"expires": float(NOTIFICATION_RELAY_INTERVAL_SECONDS * 2)},
    },
    "notifications-adoption-reminders": {
        "task": "catalog.send_adoption_reminders",
        "schedule": crontab(hour=7, minute=30),  # every day; the task counts working days itself
    },
    # The provincial report of the month just ended, on the 1st at 06:30, announced to analysts and CST staff.
    "catalog-monthly-provincial-report": {
        "task": "catalog.send_monthly_report",
        "schedule": crontab(minute=30, hour=6, day_of_month=1),
    },
    # Sources due for a harvest get a queued run (an outbox row); the relay hands the runs to the workers.
    "catalog-queue-due-harvests": {
        "task": "catalog.queue_due_harvests",
        "schedule": float(env_int("HARVEST_BEAT_SECONDS", 60)),
        "options": {"expires": float(env_int("HARVEST_BEAT_SECONDS", 60))},
    },
    # The harvest log, pruned every night (HARVEST_RUNS_KEPT, HARVEST_CHANGES_KEPT_DAYS).
    "catalog-prune-harvest-runs": {
        "task": "catalog.prune_harvest_runs",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- Domain settings ------------------------------------------------------------------------------------------
ADOPTION_REMINDER_DAYS = env_int("ADOPTION_REMINDER_DAYS", 5)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "cstpu-demo")
PUBLICCODE_MAX_BYTES = 1024 * 1024
FEEDBACK_EMAIL = env_str("FEEDBACK_EMAIL", "cst@cstpu.example")
# Each app contributes its own demo data; seed_demo runs them in this order.
DEMO_SEEDERS = [
    "municipalities.demo.seed",
    "catalog.demo.solutions.seed",
    "catalog.demo.adoptions.seed",
    "catalog.demo.history.seed",
]

# --- Harvest of source repositories (catalog/harvest/) --------------------------------------------------------
# Which hosts may be private or plain http: FETCH_ALLOWED_HOSTS (above), shared with every fetch of the portal.
# Folders whose repositories may be read by local path or file:// (mirrors kept by the CST, test fixtures).
HARVEST_LOCAL_ROOTS = env_list("HARVEST_LOCAL_ROOTS")
# Blob-less copies of the harvested repositories, kept between harvests so that the next one only fetches news.
HARVEST_CACHE_DIR = Path(env_str("HARVEST_CACHE_DIR", str(VAR_DIR / "harvest")))
# Limits of one read: its wall-clock time, the size of a repository's history (commits, trees, tags and the files
# read) and of one file read from it (a logo, a screenshot).
HARVEST_TIMEOUT_SECONDS = env_int("HARVEST_TIMEOUT_SECONDS", 120)
HARVEST_MAX_REPOSITORY_BYTES = env_int("HARVEST_MAX_REPOSITORY_BYTES", 200 * 1024 * 1024)
HARVEST_MAX_FILE_BYTES = env_int("HARVEST_MAX_FILE_BYTES", 5 * 1024 * 1024)
# How often each active source is harvested, and how soon "harvest now" may be pressed again for one source.
HARVEST_INTERVAL_SECONDS = env_int("HARVEST_INTERVAL_SECONDS", 6 * 3600)
HARVEST_NOW_MIN_SECONDS = env_int("HARVEST_NOW_MIN_SECONDS", 60)
# A running harvest whose worker died is taken over after this long: longer than a read's deadline plus the writes
# (the harvest task's hard time limit is HARVEST_TIMEOUT_SECONDS + 60).
HARVEST_LEASE_SECONDS = env_int("HARVEST_LEASE_SECONDS", HARVEST_TIMEOUT_SECONDS + 120)
# The log of harvests kept by the nightly pruning: each source's last runs, and those that changed something lately.
HARVEST_RUNS_KEPT = env_int("HARVEST_RUNS_KEPT", 20)
HARVEST_CHANGES_KEPT_DAYS = env_int("HARVEST_CHANGES_KEPT_DAYS", 90)

# --- REST API v1: token authentication, throttling, cursor pagination, OpenAPI schema --------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cstportal.apitokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "cstportal.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, refused beyond a fixed nesting depth (a deep document would exhaust the recursion limit: a 500).
    "DEFAULT_PARSER_CLASSES": ["cstportal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "cstportal.api.pagination.CursorPage",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["cstportal.api.throttling.AnonymousThrottle", "cstportal.api.throttling.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "600/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_METADATA_CLASS": None,  # no OPTIONS bodies: the OpenAPI schema is the description of the API
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The handler above, taught the services' errors and a lost database connection (503): the one place that maps
# them to answers.
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "cstportal.api.handler.ApiExceptionHandler"}
SPECTACULAR_SETTINGS = {
    "TITLE": "CST Portal API",
    "DESCRIPTION": (
        "API REST del Catalogo del riuso del CST Pesaro e Urbino: soluzioni, enti, adozioni, cifre provinciali e "
        "notifiche, con gli stessi permessi dell'interfaccia web. Autenticazione con token personale "
        "(`Authorization: Token <chiave>`) o con la sessione del browser; paginazione a cursore; errori JSON con un "
        "messaggio per campo."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "defaultModelsExpandDepth": 0},
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode409Enum": "cstportal.api.responses.ErrorCode409Enum.choices",
        "WebhookEventEnum": "catalog.models.webhooks.WebhookEvent.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "SolutionStatusEnum": "catalog.models.Solution.Status",
        "SolutionKindEnum": "catalog.models.Solution.Kind",
        "AdoptionStatusEnum": "catalog.workflow.AdoptionStatus",
        "BodyKindEnum": "municipalities.models.Body.Kind",
    },
}

# --- Logging --------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "INFO"}},
}
