"""Start-up guard shared by manage.py, the WSGI/ASGI apps and Celery.

A configuration mistake (say, no SECRET_KEY in production) should read as one line that
says what to set, not as a traceback from deep inside Django.
"""

import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings_or_exit() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
