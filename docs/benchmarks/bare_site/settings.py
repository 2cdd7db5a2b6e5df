"""A bare Django site for the benchmarks: sign-in and database sessions, the same
database, and pages that render the same rows as the clinic's pages, with nothing of the
clinic's code. What the clinic's page costs beyond this is ours to answer for."""

import os
import secrets
from urllib.parse import urlparse

_db = urlparse(os.environ["DATABASE_URL"])

SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bare_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "",
        "PASSWORD": _db.password or "",
        "HOST": _db.hostname or "",
        "PORT": str(_db.port or ""),
        "CONN_MAX_AGE": 60,
        # Parameters bound on the server and repeated statements prepared, as the clinic
        # does (clinic/settings.py), so that neither gains on the other by it.
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "/login/"
USE_TZ = True
TIME_ZONE = "Europe/London"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
