"""The clinic manager's setup pages, under /setup/."""

from django.urls import path

from clinic.scheduling import setup_views as views

app_name = "setup"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("locations/new/", views.location_new, name="location_new"),
    path("locations/<int:pk>/", views.location_edit, name="location_edit"),
    path("locations/<int:location_pk>/rooms/new/", views.room_new, name="room_new"),
    path("locations/<int:location_pk>/hours/", views.opening_hours, name="opening_hours"),
    path("locations/<int:location_pk>/closures/", views.closures, name="closures"),
    path("closures/<int:pk>/remove/", views.closure_remove, name="closure_remove"),
    path("rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/off/", views.room_switch, {"is_active": False}, name="room_off"),
    path("rooms/<int:pk>/on/", views.room_switch, {"is_active": True}, name="room_on"),
    path(
        "practitioners/<int:pk>/locations/<int:location_pk>/hours/",
        views.working_hours,
        name="working_hours",
    ),
    path("practitioners/<int:pk>/leave/", views.leave, name="leave"),
    path("leave/<int:pk>/remove/", views.leave_remove, name="leave_remove"),
    path("appointment-types/new/", views.appointment_type_new, name="appointment_type_new"),
    path("appointment-types/<int:pk>/", views.appointment_type_edit, name="appointment_type_edit"),
]
