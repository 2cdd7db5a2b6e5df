from django.contrib import admin

from clinic.models import BeatHeartbeat
from clinic.staff.admin_tools import ReadOnlyAdmin


@admin.register(BeatHeartbeat)
class BeatHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["last_beat_at"]
