from django.contrib import admin
from django.urls import include, path

from clinic import views

urlpatterns = [
    path("", views.today, name="today"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("clinic.staff.urls")),
    path("patients/", include("patients.urls")),
    path("patients/", include("clinic.data_rights.urls")),
    path("", include("treatments.urls")),
    path("", include("clinic.scheduling.urls")),
    path("setup/", include("clinic.scheduling.setup_urls")),
    path("waitlist/", include("clinic.scheduling.waitlist_urls")),
    path("", include("clinic.messaging.urls")),
    path("reports/", include("clinic.reporting.urls")),
    path("admin/", admin.site.urls),
]
