"""WSGI entry point, served by gunicorn in production (see Procfile)."""

from django.core.wsgi import get_wsgi_application

from clinic.boot import load_settings_or_exit

load_settings_or_exit()
application = get_wsgi_application()
