"""The Celery application, configured from Django settings (the CELERY_* names)."""

from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import beat_init

from clinic.boot import load_settings_or_exit

load_settings_or_exit()

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_filesystem_queue_folders() -> None:
    """The filesystem broker expects its folders to exist before the first message."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


_make_filesystem_queue_folders()


@beat_init.connect
def _heartbeat_when_beat_starts(sender: Any = None, **kwargs: Any) -> None:
    """Beat is alive as soon as it starts; without this /healthz waits for its first tick."""
    from django.utils import timezone

    from clinic.services import beat_heartbeat_record

    beat_heartbeat_record(at=timezone.now())
