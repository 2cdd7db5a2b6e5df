from django.db import models


class BeatHeartbeat(models.Model):
    """When Celery beat last ran its heartbeat task; /healthz reads its freshness.

    A single row (id 1), written by ``clinic.tasks.beat_heartbeat`` every minute.
    """

    SINGLETON_ID = 1

    id = models.SmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    last_beat_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="beat_heartbeat_single_row"),
        ]

    def __str__(self) -> str:
        return f"Beat heartbeat at {self.last_beat_at:%Y-%m-%d %H:%M:%S %Z}"
