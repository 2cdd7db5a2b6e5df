from django.urls import path

from clinic.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<slug:name>.csv", views.report_csv, name="csv"),
    path("<slug:name>/", views.report_page, name="report"),
]
