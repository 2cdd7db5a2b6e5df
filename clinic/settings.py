"""Settings for the clinic, read from the environment.

With nothing set the app runs on SQLite, the filesystem Celery broker and writes emails to
``var/mail/``; production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, SECRET_KEY and
ALLOWED_HOSTS (README.md lists every variable). A missing secret or host with DEBUG off is
a configuration error, reported in one line by manage.py, the WSGI app and Celery.
"""

from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name: str, value: object, hint: str) -> None:
    if not DEBUG and not value:
        raise ImproperlyConfigured(f"{name} is not set. {hint}")


SECRET_KEY = env.str("SECRET_KEY", default="")
_required_in_production(
    "SECRET_KEY",
    SECRET_KEY,
    "Set it to a long random value (for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
    "or set DEBUG=true for local development.",
)
if not SECRET_KEY:
    # Only reachable with DEBUG on: a fixed key for the local demo, never for production.
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
_required_in_production(
    "ALLOWED_HOSTS", ALLOWED_HOSTS, "List the host names the clinic is served under."
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic.apps.ClinicConfig",
    "clinic.staff",
    "clinic.scheduling",
    "clinic.messaging",
    "clinic.reporting",
    "clinic.data_rights",
    "patients",
    "treatments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.staff.middleware.SessionTimeoutMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "clinic.staff.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.NoStoreMiddleware",
    "clinic.staff.middleware.AuditlogMiddleware",
    # django-axes wants to be last: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

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
                "clinic.staff.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Pages ask short queries whose estimates can still pass the JIT threshold (the
        # Today to-do's unbooked sessions at chain scale): compiling them cost 35-70 ms for
        # a query that runs in 14. No query here runs long enough to gain from it.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
        # Parameters bound by the server, and the statements a connection runs again and
        # again (the pages' own) prepared after five runs, so that PostgreSQL may keep a
        # plan instead of planning each anew: Today's arrivals went from 3 ms of the
        # database's time to 0.5. Django prepares nothing unless told to
        # (prepare_threshold). Both off behind a pooler that cannot keep prepared
        # statements (PgBouncer in transaction mode without max_prepared_statements):
        # DATABASE_SERVER_SIDE_BINDING=false. A migration that changes a column's type
        # breaks the statements prepared before it: restart the processes after one.
        if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
            DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # Web, worker and beat share the file: take the write lock at the start of
                # each transaction (no upgrade deadlocks) and let readers run beside writers.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------

# One web process: its own memory. Several (gunicorn's workers, several hosts): a shared
# cache, CACHE_URL=redis://host:6379/1, so that the patient links' throttles count once
# and what each role may do is read from one place. Only a shared cache keeps what many
# requests read between them (SHARED_CACHE, clinic/shared_cache.py: the signed-in staff's
# roles, the front desk's to-do list): memory of one process would not hear of a change
# made in another.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, without a new client for every call (clinic/redis_cache.py).
    CACHES["default"]["BACKEND"] = "clinic.redis_cache.OneClientRedisCache"
SHARED_CACHE = CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] not in {
    "LocMemCache",
    "DummyCache",
}

# --- Sign-in and sessions ---------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

# Signed out after this long without a request (sliding), and after this long in all.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Five wrong passwords for one user name from one address lock that pair out for a while;
# the lock lifts by itself (a receptionist who mistypes is never locked out for good).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# Locking the pair, not the address alone, because a clinic's staff often share one
# public address; the price is that one address may try a few passwords per user name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "clinic.staff.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.staff.views.locked_out"
AXES_VERBOSE = False
# An attempt while locked out is refused without being counted, so it does not restart
# the pause: otherwise anyone behind the clinic's shared address could keep a colleague
# locked out by trying their name every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# A second factor (an authenticator app's six-digit code, or a recovery code) after the
# password: always for practitioners and the clinic manager (and for the admin), for the
# front desk too when the clinic sets MFA_REQUIRED_FOR_ALL. Anyone who has enrolled an
# authenticator is asked for it.
MFA_REQUIRED_FOR_ALL = env.bool("MFA_REQUIRED_FOR_ALL", default=False)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env.str("CLINIC_NAME", default="Microneedling Clinic")
MFA_RECOVERY_CODES = 10

# Links that let a member of staff set a password: an invitation, or a reset they or the
# manager asked for. Each works once (it changes with the password) and expires.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_LINK_HOURS", default=72) * 3600
# "Forgot your password?" sends at most this many links an hour for one address, and
# answers at most this many requests an hour from one client address.
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_IP = 20

# --- Security headers -------------------------------------------------------------------

BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# How many proxies append to X-Forwarded-For in front of the app (see staff/client_ip.py).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=1)
if BEHIND_PROXY:
    # The TLS-terminating proxy in front of gunicorn says which scheme the browser used.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script and no eval: every script is a file served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form controls with small SVG data URIs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation and time ------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files: Bootstrap, its icons and htmx come from node_modules (npm ci) ---------

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/event-calendar", BASE_DIR / "node_modules" / "@event-calendar" / "build" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------------------

if "EMAIL_URL" in env:
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Set after EMAIL_URL is read, so nothing in the URL can take it away. A mail server that
# stops answering must give up well before the message's claim runs out (the system check
# in clinic/messaging/checks.py holds it under half of MESSAGE_CLAIM_TIMEOUT): otherwise
# another worker would take the message over and it could be sent twice.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CLINIC_NAME = env.str("CLINIC_NAME", default="Microneedling Clinic")
# Phone numbers written without a country code are read as this country's.
PHONE_REGION = env.str("PHONE_REGION", default="GB")
# A cancellation this close to the start is flagged late (reports count them).
LATE_CANCEL_WINDOW = timedelta(hours=env.int("LATE_CANCEL_HOURS", default=24))
# A walk-in entered as they arrive may be booked to start this many minutes ago; any
# earlier start, and any move into the past, is refused.
WALK_IN_GRACE = timedelta(minutes=env.int("WALK_IN_GRACE_MINUTES", default=15))
# A time freed by a cancellation or a move is held this long for the waiting patient it is
# offered to, then offered to the next; no hold runs closer than WAITLIST_CUTOFF to the
# time itself, and a time nearer than that is not offered at all.
WAITLIST_HOLD = timedelta(minutes=env.int("WAITLIST_HOLD_MINUTES", default=120))
WAITLIST_CUTOFF = timedelta(minutes=env.int("WAITLIST_CUTOFF_MINUTES", default=120))
# A treatment session may start this many minutes before its booked time, no earlier.
SESSION_START_EARLY = timedelta(minutes=env.int("SESSION_START_EARLY_MINUTES", default=30))
# The first day a form accepts (the day the clinic opened); forms refuse earlier dates.


def _day(name: str, default: date) -> date:
    value = env.str(name, default="")
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date such as 2019-03-01.") from None


CLINIC_OPENED_ON = _day("CLINIC_OPENED_ON", date(2000, 1, 1))
# Links in patients' emails start with this address (the clinic's public one); in
# production it defaults to https:// and the first allowed host, in development to the
# port the web server was given (PORT, as `make run` and the Procfile use it).
SITE_URL = env.str(
    "SITE_URL",
    default=(
        f"http://127.0.0.1:{env.int('PORT', default=8000)}"
        if DEBUG
        else f"https://{(ALLOWED_HOSTS or ['localhost'])[0]}"
    ),
).rstrip("/")

# --- Patient messages (the outbox; clinic.messaging) -------------------------------------
# A failed send is tried again after about BASE, 2 x BASE, 4 x BASE ... (at most an hour),
# then shown as failed after MAX_ATTEMPTS tries.
MESSAGE_RETRY_BASE = timedelta(seconds=env.int("MESSAGE_RETRY_BASE_SECONDS", default=60))
MESSAGE_RETRY_CAP = timedelta(hours=1)
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=8)
# A message left "sending" this long (its worker died) is due again.
MESSAGE_CLAIM_TIMEOUT = timedelta(seconds=env.int("MESSAGE_CLAIM_TIMEOUT_SECONDS", default=300))
# Beat starts a dispatch run this often.
MESSAGE_DISPATCH_EVERY_SECONDS = env.int("MESSAGE_DISPATCH_EVERY_SECONDS", default=60)
# One dispatch run stops after this long; the next beat tick carries on.
MESSAGE_DISPATCH_BUDGET = timedelta(seconds=50)
# The links in a message to confirm or ask to cancel work for this long (and never
# after the appointment has started).
MESSAGE_LINK_MAX_AGE = timedelta(days=30)

# The patient's own pages behind those links (book, move, cancel) answer at most this many
# requests per link, and per client address, in PATIENT_LINK_RATE_PERIOD; then "try later".
PATIENT_LINK_RATE_PER_LINK = env.int("PATIENT_LINK_RATE_PER_LINK", default=30)
PATIENT_LINK_RATE_PER_ADDRESS = env.int("PATIENT_LINK_RATE_PER_ADDRESS", default=120)
PATIENT_LINK_RATE_PERIOD = timedelta(minutes=10)
# A patient moving a single appointment is offered times this many days ahead.
PATIENT_RESCHEDULE_DAYS = env.int("PATIENT_RESCHEDULE_DAYS", default=28)
# --- Patients' data rights (clinic.data_rights) ------------------------------------------
# After an erasure request the clinical record is kept this many years after the last
# contact, and for someone first seen as a child at least until this birthday, whichever
# is later; then it is anonymised.
RECORD_RETENTION_YEARS = env.int("RECORD_RETENTION_YEARS", default=8)
RECORD_RETENTION_MINORS_UNTIL_AGE = env.int("RECORD_RETENTION_MINORS_UNTIL_AGE", default=25)
if RECORD_RETENTION_YEARS < 1 or RECORD_RETENTION_MINORS_UNTIL_AGE < 18:
    raise ImproperlyConfigured(
        "RECORD_RETENTION_YEARS must be at least 1 and RECORD_RETENTION_MINORS_UNTIL_AGE "
        "at least 18."
    )

# At most this many possible duplicates are listed when a patient is registered.
DUPLICATE_WARNING_LIMIT = 5

# --- Celery -----------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "clinic.tasks.beat_heartbeat", "schedule": 60.0},
    "dispatch-patient-messages": {
        "task": "clinic.messaging.tasks.dispatch_due_messages",
        "schedule": float(MESSAGE_DISPATCH_EVERY_SECONDS),
    },
    # Hourly, so a next session's window is noticed within the hour it opens, whatever the
    # location's zone; the nudge itself is due at 10:00 there.
    "nudge-unbooked-sessions": {
        "task": "treatments.tasks.nudge_unbooked_sessions",
        "schedule": crontab(minute=5),
    },
    # A waitlist offer whose hold has run out goes to the next patient within a minute.
    "pass-on-waitlist-offers": {
        "task": "clinic.messaging.tasks.pass_on_waitlist_offers",
        "schedule": 60.0,
    },
    "purge-sign-in-records": {
        "task": "clinic.staff.tasks.purge_sign_in_records",
        "schedule": crontab(hour=3, minute=17),
    },
    "anonymise-past-retention": {
        "task": "clinic.data_rights.tasks.anonymise_past_retention",
        "schedule": crontab(hour=3, minute=41),
    },
}
# /healthz calls beat stale when its heartbeat is older than this.
BEAT_STALE_AFTER = timedelta(seconds=env.int("BEAT_STALE_AFTER_SECONDS", default=180))

# --- Forms, audit, logging --------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Models are registered one by one in each app's ready(), each with the fields to leave out.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Each audit entry is sealed with HMAC-SHA256 under this key and chained to the entry
# before it (clinic/staff/audit_chain.py). It lives outside the database on purpose: whoever
# can write the tables must not also be able to re-seal them.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
_required_in_production(
    "AUDIT_CHAIN_KEY",
    AUDIT_CHAIN_KEY,
    "Set it to a long random value kept apart from the database (generated like SECRET_KEY); "
    "it seals the audit log, so keep it for as long as the log is kept.",
)
if not AUDIT_CHAIN_KEY:
    # Only reachable with DEBUG on: a key derived from the development secret.
    AUDIT_CHAIN_KEY = "local-audit-chain:" + SECRET_KEY

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
