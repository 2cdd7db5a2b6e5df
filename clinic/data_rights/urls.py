from django.urls import path

from clinic.data_rights import views

app_name = "data_rights"

urlpatterns = [
    path("data-requests/", views.requests, name="requests"),
    path("<int:pk>/data/", views.overview, name="overview"),
    path("<int:pk>/data/export.json", views.export_json, name="export_json"),
    path("<int:pk>/data/export/", views.export_print, name="export_print"),
    path("<int:pk>/data/restriction/", views.restriction, name="restriction"),
    path("<int:pk>/data/erase/", views.erase, name="erase"),
]
