from datetime import datetime

from clinic.models import BeatHeartbeat


def beat_heartbeat_record(*, at: datetime) -> None:
    BeatHeartbeat.objects.update_or_create(
        id=BeatHeartbeat.SINGLETON_ID, defaults={"last_beat_at": at}
    )
