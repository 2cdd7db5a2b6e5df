from django.urls import path

from clinic.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("calendar/", views.calendar_day, name="calendar_day"),
    path("calendar/week/", views.calendar_week, name="calendar_week"),
    path("appointments/new/", views.appointment_new, name="new"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="move"),
    path("appointments/<int:pk>/<slug:action>/", views.appointment_action, name="action"),
]
