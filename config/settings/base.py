"""Settings shared by every environment. Every value comes from the environment.

Development defaults are safe; production.py refuses to start without the secrets it needs.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is read when present (never committed); real environments set variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from STATIC (no CDN): docs/api.md
    "axes",  # login throttling and lockout (accounts/auth_views.py); its tables are axes_*
    "csp",
    # Bounded contexts, bottom of the dependency graph first (see ARCHITECTURE.md).
    "accounts",
    "customers",
    "catalog",
    "orders",
    "logistics",
    "finance",
    "automation",
    "integrations",
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "common.request_context.RequestContextMiddleware",
    # Admins without two-factor authentication are sent to set it up (accounts/middleware.py).
    "accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during the request into the 429 page.
    "axes.middleware.AxesMiddleware",
    "common.http.DomainErrorMiddleware",
]
# How many reverse proxies in front of the app append to X-Forwarded-For (0: trust REMOTE_ADDR).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL is always set by the Makefile (embedded server) or by the deployment.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/cod")}
# A Unix socket directory arrives percent-encoded in the URL's host (postgres://u@%2Fpath/db).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cod"),
    }
}

# Prefix of the app's own Redis keys (heartbeats); test settings give each test process its own.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="cod")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None  # outcomes are recorded in the database, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "cash-held-warnings": {"task": "finance.tasks.warn_about_cash_held_task", "schedule": crontab(hour=18, minute=0)},
    "worker-heartbeat": {"task": "core.tasks.heartbeat", "schedule": timedelta(seconds=15)},
    # Nightly maintenance (core/maintenance.py), staggered, at quiet hours (CELERY_TIMEZONE).
    "purge-expired-refresh-sessions": {
        "task": "core.tasks.purge_expired_refresh_sessions",
        "schedule": crontab(hour=3, minute=10),
    },
    "purge-expired-login-sessions": {
        "task": "core.tasks.purge_expired_login_sessions",
        "schedule": crontab(hour=3, minute=20),
    },
    "purge-old-webhook-logs": {"task": "core.tasks.purge_old_webhook_logs", "schedule": crontab(hour=3, minute=30)},
    # Webhook deliveries whose task was lost (broker or worker down) are enqueued again (docs/webhooks.md).
    "sweep-received-webhook-logs": {
        "task": "integrations.tasks.sweep_received_webhook_logs_task",
        "schedule": timedelta(minutes=1),
    },
}
# Days of webhook_logs kept; older rows are deleted nightly in batches.
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=90)
# Inbound webhooks (docs/webhooks.md): largest body accepted (bytes), seconds after which an accepted
# delivery still waiting is enqueued again by the sweep, and processing attempts before giving up.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)
WEBHOOK_SWEEP_AFTER_SECONDS = env.int("WEBHOOK_SWEEP_AFTER_SECONDS", default=120)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Seconds after which /healthz considers the worker gone.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=60)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# bcrypt (cost 12) is the primary hasher, as the schema asks; the SHA256 pre-hash avoids bcrypt's
# 72-byte truncation. Plain bcrypt stays for hashes imported from other systems.
PASSWORD_HASHERS = [
    "accounts.hashers.BCryptSHA256Cost12PasswordHasher",
    "accounts.hashers.BCryptCost12PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Axes first: it refuses locked-out clients before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures of one email from one IP
# address (wrong passwords and wrong second-factor codes alike), that pair is locked out for
# AXES_COOLOFF_MINUTES and gets HTTP 429. A complete login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.auth_views.axes_username"  # "A@B.c " and "a@b.c" count together
AXES_CLIENT_IP_CALLABLE = "common.request_context.client_ip"  # honours TRUSTED_PROXY_HOPS
# The login page's 429 page; the API token endpoint (under /api/) gets a JSON 429 instead.
AXES_LOCKOUT_CALLABLE = "accounts.api.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # attempts are unlocked with `manage.py axes_reset_username <email>`

# Two-factor authentication (accounts/otp.py): available to everyone, required for these roles.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["admin"])
TWO_FACTOR_ISSUER = env("TWO_FACTOR_ISSUER", default="COD Operations")
# Wrong codes in a row after which the login starts again from the password.
TWO_FACTOR_MAX_ATTEMPTS = env.int("TWO_FACTOR_MAX_ATTEMPTS", default=5)

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Uploads (proofs, receipts) under MEDIA_ROOT/private/, served only through common.views.private_file.
    "private": {"BACKEND": "common.uploads.PrivateStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
# Largest accepted upload in bytes (common/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)

# --- Secrets at rest ------------------------------------------------------------------------
# Fernet keys, comma-separated: the first encrypts, all decrypt (rotation: docs/security.md).
# Empty in development and tests: a key derived from SECRET_KEY is used. Required in production.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Security headers that hold in every environment ----------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline scripts or styles anywhere; static files only.
# A template that really needs an inline script uses nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # the nonce appears in the header only on pages that use it
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # QR codes as data: URIs
        "connect-src": [SELF],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Permissions-Policy (common.middleware): delivery agents use the camera (proofs) and GPS; nothing else.
PERMISSIONS_POLICY = {"camera": ["self"], "geolocation": ["self"]}

# --- REST API (docs/api.md) -------------------------------------------------------------------
REST_FRAMEWORK = {
    # JWT first: an anonymous API request gets 401 with `WWW-Authenticate: Bearer`. Signed-in
    # staff may also use their browser session (Swagger UI), with DRF's CSRF check on writes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api.StampedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["common.api.UserThrottle", "common.api.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="120/minute"),  # per signed-in user
        "anon": env("API_THROTTLE_ANON", default="30/minute"),  # per IP address, without a token
        "auth": env("API_THROTTLE_AUTH", default="10/minute"),  # per IP address, POST auth/token/
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,  # api_login_completed() sends user_logged_in, which sets last_login
}
SPECTACULAR_SETTINGS = {
    "TITLE": "COD Operations API",
    "DESCRIPTION": "Orders, customers, products, deliveries and notifications. See docs/api.md.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "LevelEnum": "orders.models.Priority",  # high/medium/low: order priority and risk band alike
        "PaymentStatusEnum": "orders.models.PaymentStatus",
        "PaymentMethodEnum": "orders.models.PaymentMethod",
        "OrderSourceEnum": "orders.models.OrderSource",
        "FailureReasonEnum": "logistics.models.FailureReason",
        "NotificationTypeEnum": "accounts.models.NotificationType",
    },
}

# --- Business settings ----------------------------------------------------------------------
# Region used to normalise phone numbers written without a country code (ISO 3166 alpha-2).
DEFAULT_PHONE_REGION = env("DEFAULT_PHONE_REGION", default="MA")
CURRENCY = env("CURRENCY", default="MAD")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Django caps index names at 30 characters for Oracle's sake. The schema contract names indexes
# up to 38 characters (idx_financial_transactions_recorded_by) and PostgreSQL allows 63.
SILENCED_SYSTEM_CHECKS = ["models.E034"]

# --- Orders core ------------------------------------------------------------------------------
# Delivery fee for an area that has no row in delivery_areas (in CURRENCY).
DEFAULT_DELIVERY_FEE = env.str("DEFAULT_DELIVERY_FEE", default="30.00")
# An order from the same phone with overlapping items within this many hours is a possible duplicate.
DUPLICATE_WINDOW_HOURS = env.int("DUPLICATE_WINDOW_HOURS", default=48)
# Unanswered confirmation calls after which an order is cancelled.
MAX_UNANSWERED_CALLS = env.int("MAX_UNANSWERED_CALLS", default=3)
# Spread new orders over available reps (round robin).
AUTO_ASSIGN_REPS = env.bool("AUTO_ASSIGN_REPS", default=True)
# Delivery areas' return rates are recomputed at most this often (seconds), for risk bands.
AREA_STATS_CACHE_SECONDS = env.int("AREA_STATS_CACHE_SECONDS", default=600)

# --- Delivery -----------------------------------------------------------------------------------
# Failed attempts after which an order is returned (a refusal returns it at once).
MAX_DELIVERY_ATTEMPTS = env.int("MAX_DELIVERY_ATTEMPTS", default=3)
# Assign an order to an agent automatically when it becomes ready for pickup.
AUTO_DISPATCH = env.bool("AUTO_DISPATCH", default=False)
# An agent carries at most this many orders at once when auto-assigned.
MAX_AGENT_LOAD = env.int("MAX_AGENT_LOAD", default=25)

# --- CSV / XLSX order imports (integrations/imports/, docs/import.md) ----------------------------
# Largest accepted import file (bytes), most data rows per file, and files checked while the upload
# waits (larger ones are checked by the worker, with a progress page).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_INLINE_MAX_BYTES = env.int("IMPORT_INLINE_MAX_BYTES", default=2 * 1024 * 1024)
# The import tasks live in integrations/import_tasks.py, which autodiscovery (tasks.py) does not find.
CELERY_IMPORTS = ("integrations.import_tasks",)

# --- Finance ------------------------------------------------------------------------------------
# Managers are warned when an agent holds more cash than this, or for more days than this.
CASH_HOLD_LIMIT = env.str("CASH_HOLD_LIMIT", default="5000.00")
CASH_HOLD_MAX_DAYS = env.int("CASH_HOLD_MAX_DAYS", default=2)
