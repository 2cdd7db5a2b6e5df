from django.urls import path

from clinic.scheduling import calendar_views, views

app_name = "scheduling"

urlpatterns = [
    path("calendar/", calendar_views.calendar_day, name="calendar_day"),
    path("calendar/week/", calendar_views.calendar_week, name="calendar_week"),
    path("calendar/list/", calendar_views.calendar_list, name="calendar_list"),
    path("calendar/data/", calendar_views.calendar_data, name="calendar_data"),
    path("calendar/move/<int:pk>/", calendar_views.calendar_drop, name="calendar_drop"),
    path("appointments/new/", views.appointment_new, name="new"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="move"),
    path("appointments/<int:pk>/<slug:action>/", views.appointment_action, name="action"),
]
