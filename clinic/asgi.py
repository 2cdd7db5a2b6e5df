"""ASGI entry point, for servers that speak ASGI."""

from django.core.asgi import get_asgi_application

from clinic.boot import load_settings_or_exit

load_settings_or_exit()
application = get_asgi_application()
