from django.contrib import admin

from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    FreedSlot,
    Leave,
    Location,
    OpeningHours,
    Room,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)
from clinic.staff.admin_tools import PersonalDataAdmin, ReadOnlyAdmin


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name", "address"]


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ["name", "location", "is_active"]
    list_filter = ["location", "is_active"]
    list_select_related = ["location"]
    search_fields = ["name"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyAdmin):
    list_display = ["location", "weekday", "opens", "closes"]
    list_filter = ["location", "weekday"]
    list_select_related = ["location"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(ReadOnlyAdmin):
    list_display = ["practitioner", "location", "weekday", "starts", "ends"]
    list_filter = ["location", "weekday"]
    list_select_related = ["practitioner__user", "location"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name"]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    list_display = ["location", "first_day", "last_day", "reason"]
    list_filter = ["location"]
    list_select_related = ["location"]
    date_hierarchy = "first_day"


@admin.register(Leave)
class LeaveAdmin(ReadOnlyAdmin):
    list_display = ["practitioner", "starts_at", "ends_at", "reason"]
    list_select_related = ["practitioner__user"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name"]
    date_hierarchy = "starts_at"


@admin.register(AppointmentType)
class AppointmentTypeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "duration_minutes", "buffer_before_minutes",
                    "buffer_after_minutes", "is_active"]  # fmt: skip
    list_filter = ["kind", "is_active"]


@admin.register(Appointment)
class AppointmentAdmin(PersonalDataAdmin):
    """Bookings change only through the calendar, which keeps people and rooms single
    booked and tells the patient."""

    list_display = ["starts_at", "patient", "practitioner", "room", "appointment_type",
                    "status", "late_cancel"]  # fmt: skip
    list_filter = ["status", "location", "appointment_type", "late_cancel"]
    list_select_related = ["patient", "practitioner__user", "room__location", "appointment_type"]
    search_fields = ["patient__search_name", "patient__email"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]


# The waitlist changes only through its pages and the offers' links (clinic/scheduling/
# waitlist.py), which keep one freed time to one booking.


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PersonalDataAdmin):
    role_permission = "scheduling.view_appointment"
    list_display = ["created_at", "patient", "location", "appointment_type", "practitioner",
                    "earliest", "latest", "status"]  # fmt: skip
    list_filter = ["status", "location"]
    list_select_related = ["patient", "location", "appointment_type", "practitioner__user"]
    search_fields = ["patient__search_name"]
    ordering = ["-created_at"]


@admin.register(FreedSlot)
class FreedSlotAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "location", "practitioner", "room", "status"]
    list_filter = ["status", "location"]
    list_select_related = ["location", "practitioner__user", "room__location"]
    ordering = ["-starts_at"]


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(PersonalDataAdmin):
    role_permission = "scheduling.view_appointment"
    list_display = ["offered_at", "entry", "slot", "expires_at", "status"]
    list_filter = ["status"]
    list_select_related = ["entry", "slot"]
    ordering = ["-offered_at"]
