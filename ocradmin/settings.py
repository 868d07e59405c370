"""ocradmin settings: one module, driven by environment variables with safe defaults.

With nothing set it runs on an embedded SQLite database under ``var/`` and a server-free
Celery transport (a spool folder under ``var/``). ``DATABASE_URL`` switches to PostgreSQL,
``CELERY_BROKER_URL`` to Redis. ``DEBUG`` is off unless asked for; the HTTPS hardening is on
whenever ``DEBUG`` is off, so a deployment that forgets a variable fails safe.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A random key kept in var/ so a checkout works without configuration.

    Deployments set SECRET_KEY in the environment (docker-compose.yml refuses to start without).
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Lifecycle order: seed_demo and the dashboard run the apps in this order.
    "ocradmin.apps.OcradminConfig",
    "centres.apps.CentresConfig",
    "entries.apps.EntriesConfig",
    "claims.apps.ClaimsConfig",
    "moderation.apps.ModerationConfig",
    "grades.apps.GradesConfig",
    "ocradmin.apps.OcradminAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ocradmin.twofactor.TwoFactorMiddleware",
    "ocradmin.sessions.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocradmin.urls"
WSGI_APPLICATION = "ocradmin.wsgi.application"

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
                "ocradmin.context_processors.shell",
            ],
            "builtins": ["ocradmin.templatetags.dates", "ocradmin.templatetags.numbers"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ocradmin.sqlite3",
            "OPTIONS": {
                # Writers take the lock at BEGIN, so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process of the site (gunicorn's workers, the Celery worker): the staff
# board's progress figures and the email throttles are kept there, so a per-process cache would
# show each worker its own figures and count each worker's throttle apart. CACHE_URL (Redis)
# when the site runs on several machines; without it, files under var/cache/, which every
# process of one machine shares with no server and no table to create.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            # A file per key; past this many, a third are dropped at random (throttle counts
            # among them), so well above a busy hour's password-reset and registration keys.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "ocradmin.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after
# signing in whatever happens (ocradmin/sessions.py). A password change signs out every other
# session (Django's session auth hash).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_ABSOLUTE_HOURS = float(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Two-factor sign-in (ocradmin/twofactor.py): required for staff, examiner-moderators, heads of
# centre and centre admins unless switched off (the default whenever DEBUG is off).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "ocradmin"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Login throttling: five failures for one address from one client address lock that pair out
# for 15 minutes; the same account signs in from anywhere else (an attacker cannot lock a head
# of centre out). Behind PROXY_COUNT reverse proxies the client address is read from
# X-Forwarded-For (ocradmin/clients.py).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form's field is "username" (axes would default to the model's "email" field and
# count every failure against an empty name); addresses are compared lower-cased.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ocradmin.forms.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "ocradmin.clients.client_ip"

# Password-reset and registration emails (ocradmin/throttles.py): per address and per client
# address in a window; past the limit the same neutral page is shown and nothing is sent.
EMAIL_THROTTLE_WINDOW_SECONDS = int(os.environ.get("EMAIL_THROTTLE_WINDOW_SECONDS", "3600"))
EMAIL_THROTTLE_PER_ADDRESS = int(os.environ.get("EMAIL_THROTTLE_PER_ADDRESS", "3"))
EMAIL_THROTTLE_PER_CLIENT = int(os.environ.get("EMAIL_THROTTLE_PER_CLIENT", "20"))

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# The fonts embedded in PDF documents (Debian's fonts-dejavu-core): ocradmin/documents.py.
PDF_FONT_DIR = Path(os.environ.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_ROOT.exists()
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet uploads (ocradmin/spreadsheets.py): a larger file is refused by its size. Bigger
# uploads are streamed to a temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE, never held in
# memory; the web server in front should cap request bodies too (e.g. nginx client_max_body_size).
# Every spreadsheet upload (entries, grades, …): the largest file, and how long reading one may
# take before it is refused.
SPREADSHEET_MAX_BYTES = int(os.environ.get("SPREADSHEET_MAX_BYTES", 5 * 1024 * 1024))
SPREADSHEET_PARSE_SECONDS = int(os.environ.get("SPREADSHEET_PARSE_SECONDS", 60))
# Claims: the candidates' work (evidence files), per file and per claim, and the ZIP bomb check.
CLAIM_EVIDENCE_MAX_FILE_BYTES = int(
    os.environ.get("CLAIM_EVIDENCE_MAX_FILE_BYTES", 250 * 1024 * 1024)
)
CLAIM_EVIDENCE_MAX_CLAIM_BYTES = int(
    os.environ.get("CLAIM_EVIDENCE_MAX_CLAIM_BYTES", 2 * 1024 * 1024 * 1024)
)
CLAIM_EVIDENCE_ZIP_MAX_MEMBERS = 10_000
CLAIM_EVIDENCE_ZIP_MAX_RATIO = 100
CLAIM_EVIDENCE_ZIP_MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024
# Moderation: the most live claims (submitted, work sent, with the moderator) one examiner-
# moderator holds; staff cannot move a claim to someone already at it. (The centre-qualification
# allocations a moderator takes are each one's ModeratorProfile.capacity.)
MODERATION_LIVE_CLAIMS_PER_MODERATOR = int(
    os.environ.get("MODERATION_LIVE_CLAIMS_PER_MODERATOR", 40)
)

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ocradmin <no-reply@ocradmin.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_EMAIL = os.environ.get("STAFF_EMAIL", "operations@ocradmin.example")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security -------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap's form controls draw their icons from data: SVGs in its stylesheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------------
# Without a broker URL the worker and beat meet in a spool folder (kombu's filesystem
# transport): real separate processes, no server.
CELERY_SPOOL_DIR = Path(os.environ.get("CELERY_SPOOL_DIR", VAR_DIR / "celery-spool"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_SPOOL_DIR / sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport with messages renamed into place whole (see the module).
    CELERY_BROKER_TRANSPORT = "ocradmin.spool:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_SPOOL_DIR / "queue"),
        "data_folder_out": str(CELERY_SPOOL_DIR / "queue"),
        "processed_folder": str(CELERY_SPOOL_DIR / "processed"),
        "control_folder": str(CELERY_SPOOL_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = float(os.environ.get("HEARTBEAT_INTERVAL_SECONDS", "60"))
ENTRY_PROCESSING_INTERVAL_MINUTES = float(os.environ.get("ENTRY_PROCESSING_INTERVAL_MINUTES", "15"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
