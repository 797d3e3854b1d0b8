"""Liaison settings, read from the environment (django-environ).

The defaults are an embedded set-up for a newcomer: SQLite under var/, background tasks run
in-process, email and SMS written to files under var/. DATABASE_URL, REDIS_URL, EMAIL_URL,
SMS_BACKEND and SITE_URL switch to the real parts. DJANGO_ENV=production refuses to start
without SECRET_KEY and ALLOWED_HOSTS and turns on every deployment safeguard.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if not PRODUCTION:
    # The embedded set-up keeps its database, mail and SMS files here.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    if not env.str("SECRET_KEY", default=""):
        raise ImproperlyConfigured("DJANGO_ENV=production needs SECRET_KEY.")
    if not env.list("ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

# Development key only; production refuses to start without its own (see above).
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-liaison-do-not-use-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    # modeltranslation must come before the admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "django_celery_beat",
    "django_tables2",
    "django_filters",
    "phonenumber_field",
    "portal",
    "orders",
    "referrals",
    "interpreters",
    "appointments",
]

MIDDLEWARE = [
    # Outermost: the request id and the request's log line, then its count and duration
    # (portal.ops: structured logs and Prometheus metrics).
    "portal.ops.logs.RequestLogMiddleware",
    "portal.ops.metrics.MetricsMiddleware",
    "portal.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.SecondFactorMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "portal.middleware.ActiveMembershipMiddleware",
    # Reads of an organization's data in a request go through a scope (portal.scoping).
    "portal.middleware.ScopingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

# An unscoped read of an organization's data while handling a request raises instead of logging a
# warning (portal.scoping). The test suite turns it on.
SCOPING_STRICT = env.bool("SCOPING_STRICT", default=False)

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Behind PgBouncer in transaction mode, server-side cursors cannot span statements (README).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_POOLER_TRANSACTION_MODE", default=False)
# Production keeps each worker's connection open (a new PostgreSQL connection per request cost a
# booking about a third of its CPU) and checks it before reuse; size PostgreSQL's max_connections
# (or the pooler) to web workers x threads + Celery workers. CONN_MAX_AGE=0 opens one per request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A PostgreSQL that does not answer fails a request (and /ready/) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.RepeatedOrSequentialValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

# django-allauth: email sign-in, accounts created by administrators (no public sign-up).
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Liaison] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# django-axes is the one lockout for failed sign-ins (below); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {"login_failed": None}

# Second factor (django-otp).
OTP_TOTP_ISSUER = "Liaison"
OTP_TOTP_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# Lock an account from an address after 10 failed sign-ins; the lock lifts after an hour.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "portal.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# ...and every sign-in from an address after 30 failures across accounts in that hour (password
# spraying), with an alert to the platform's staff (portal.auth.AddressLimitHandler).
AXES_HANDLER = "portal.auth.AddressLimitHandler"
# Working days an offer waits for the provider's answer before one reminder email (orders.offers).
ORDERS_OFFER_REMINDER_WORKING_DAYS = env.int("ORDERS_OFFER_REMINDER_WORKING_DAYS", default=3)
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=30)
# Behind PROXY_COUNT reverse proxies, portal.middleware.TrustedProxyMiddleware puts the client's
# address in REMOTE_ADDR (and drops X-Forwarded-For), for lockouts and audit alike.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False

# Sessions: 30 minutes idle, 12 hours in all (portal.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
# How often a request records that the person is still there (a session write each time).
SESSION_LAST_SEEN_EVERY = timedelta(seconds=15)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "liaison_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en")
TIME_ZONE = env.str("TIME_ZONE", default="America/Moncton")
USE_I18N = True
USE_TZ = True
# Unambiguous dates in both languages (2026-12-01, 1 December 2026): config/formats/<language>/.
FORMAT_MODULE_PATH = ["config.formats"]
# No grouping in numbers shown in form fields, so what a field shows reads back as the same number.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Outside production, whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Background work: Celery on Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process mode, a failed send is recorded on the message (and retried) instead of failing the request.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker was killed (acks_late: never acknowledged) goes back to the queue once it
# has been unacknowledged for the visibility timeout; workers look for such tasks every 5 s. So a
# lost email leaves about a minute later instead of after Redis's default hour. The timeout must
# stay above every countdown (send_message's retries wait 16 s at most) and tasks that outlive it
# are handed out twice: each one is idempotent under a row lock (a message is sent once).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60),
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="liaison")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A request that queues work never waits long for a broker that is away: the work is recorded
# first and the re-queue tasks below send it later (portal.tasks.enqueue).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Public booking forms: posts an hour from one address, per clinic network.
APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR = env.int("APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR", default=30)
# The public waitlist (issue 20): sign-up, and places that open offered to the people on the list
# with a hold (appointments.waitlist.offers). A network can be run without it (False).
APPOINTMENTS_WAITLIST = env.bool("APPOINTMENTS_WAITLIST", default=True)

CELERY_BEAT_SCHEDULE = {
    # Work recorded as queued while the broker was away (or whose task was lost) is queued again.
    "requeue-stale-messages": {"task": "portal.tasks.requeue_stale_messages", "schedule": 600.0},
    "requeue-stale-exports": {"task": "portal.tasks.requeue_stale_exports", "schedule": 600.0},
    # Referral emails are portal messages now; the name is kept so that the database scheduler
    # updates its stored entry instead of keeping one for a task that no longer exists.
    "requeue-stale-referrals": {"task": "referrals.tasks.requeue_stale_prints", "schedule": 600.0},
    "interpreter-reminders": {"task": "interpreters.tasks.send_reminders", "schedule": 3600.0},
    "appointment-communications": {"task": "appointments.tasks.send_due_communications", "schedule": 300.0},
    # Waitlist holds past their time end and their places go to the next people (issue 20).
    "appointment-waitlist-holds": {"task": "appointments.tasks.expire_waitlist_holds", "schedule": 300.0},
    # Service-order summaries past their end date expire (idempotent: hourly, so a missed midnight
    # is caught up within the hour).
    "orders-expire-ended-summaries": {"task": "orders.tasks.expire_ended_summaries", "schedule": 3600.0},
    # One reminder to the provider for an offer unanswered ORDERS_OFFER_REMINDER_WORKING_DAYS working days.
    "orders-remind-unanswered-offers": {"task": "orders.tasks.remind_unanswered_offers", "schedule": 3600.0},
    # One reminder to the sender of an informational referral unanswered
    # REFERRALS_RESPONSE_REMINDER_WORKING_DAYS working days (referrals.responses.services).
    "referrals-remind-unanswered-referrals": {
        "task": "referrals.tasks.remind_unanswered_referrals",
        "schedule": 3600.0,
    },
    # The worker's heartbeat for /ready/ (portal.ops.heartbeat); one left waiting while no worker
    # runs expires instead of piling up.
    "worker-heartbeat": {
        "task": "portal.ops.tasks.heartbeat",
        "schedule": float(env.int("HEARTBEAT_SECONDS", default=30)),
        "options": {"expires": 60},
    },
}
# /ready/ answers 503 once the last worker heartbeat is older than this (seconds).
READY_HEARTBEAT_MAX_AGE = env.int("READY_HEARTBEAT_MAX_AGE", default=120)
# /metrics: with a token, only `Authorization: Bearer <token>`; without one, loopback only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
CELERY_TIMEZONE = TIME_ZONE

if REDIS_URL:
    # Tolerant: a Redis outage makes the cache miss (and rate limits fail open), never an error page.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Messages: email through EMAIL_URL (default: files under var/mail), SMS through SMS_BACKEND.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = str(_email.get("OPTIONS", {}).get("TLS", "")).lower() in ("1", "true") or bool(
        _email.get("EMAIL_USE_TLS")
    )
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
    # environ reads filemail:///var/spool/mail as a relative path: put the root back.
    EMAIL_FILE_PATH = "/" + _email["EMAIL_FILE_PATH"] if _email.get("EMAIL_FILE_PATH") else ""
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Liaison <no-reply@liaison.example.ca>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Referral letters leave from a no-reply address; the letter carries the agency's own contact details.
REFERRAL_FROM_EMAIL = env.str("REFERRAL_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# Working days an informational referral waits for the receiving agency's answer before one reminder.
REFERRALS_RESPONSE_REMINDER_WORKING_DAYS = env.int("REFERRALS_RESPONSE_REMINDER_WORKING_DAYS", default=5)
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.FileBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_FROM = env.str("SMS_FROM", default="Liaison")
# Twilio (SMS_BACKEND=portal.sms_providers.TwilioBackend): the account and its auth token (which
# also signs the status and reply webhooks), and the sender: a number in E.164 (+15065550100) or,
# instead, a messaging service. SMS_TWILIO_API_URL replaces https://api.twilio.com (a local fake
# in tests, an egress proxy); SMS_TIMEOUT bounds each call, in seconds.
SMS_TWILIO_ACCOUNT_SID = env.str("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_AUTH_TOKEN = env.str("SMS_TWILIO_AUTH_TOKEN", default="")
SMS_TWILIO_FROM = env.str("SMS_TWILIO_FROM", default="")
SMS_TWILIO_MESSAGING_SERVICE_SID = env.str("SMS_TWILIO_MESSAGING_SERVICE_SID", default="")
SMS_TWILIO_API_URL = env.str("SMS_TWILIO_API_URL", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
if SMS_BACKEND == "portal.sms_providers.TwilioBackend" and not (
    SMS_TWILIO_ACCOUNT_SID and SMS_TWILIO_AUTH_TOKEN and (SMS_TWILIO_FROM or SMS_TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "The Twilio SMS backend needs SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and "
        "SMS_TWILIO_FROM or SMS_TWILIO_MESSAGING_SERVICE_SID."
    )

PHONENUMBER_DEFAULT_REGION = "CA"

DJANGO_TABLES2_TEMPLATE = "portal/table.html"

# Audit: record changes and accesses with the actor and the address.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Production logs are JSON, one object a line, each with request_id, user_id and organization_id
# (portal.ops.logs); one `liaison.request` line per request (method, route, view, status,
# duration), never a query string or a name. LOG_FORMAT=text gives plain lines.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "portal.ops.logs.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "portal.ops.logs.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(organization_id)s",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "celery": {"level": "WARNING"},
        # The Twilio library logs each API call's address and headers at INFO: noise.
        "twilio": {"level": "WARNING"},
        # The per-request line: on in production (gunicorn's own access log is off, see
        # config/gunicorn.py); the development server prints its own.
        "liaison.request": {
            "level": env.str("REQUEST_LOG_LEVEL", default="INFO" if PRODUCTION else "WARNING")
        },
    },
}
# In production the worker's and beat's lines go through the same JSON handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = not PRODUCTION

# Security headers on every environment; transport rules in production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Probes and Prometheus reach gunicorn directly over HTTP, inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$", r"^metrics$"]
