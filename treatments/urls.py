from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("screening-rules/", views.screening_rules, name="screening_rules"),
    path("consent-texts/", views.consent_texts, name="consent_texts"),
    path("screening-rules/<slug:code>/", views.screening_rule_update, name="screening_rule"),
    path(
        "patients/<int:patient_pk>/consultations/new/",
        views.consultation_new,
        name="consultation_new",
    ),
    path("patients/<int:patient_pk>/consent/", views.consent_sign_view, name="consent_sign"),
    path("patients/<int:patient_pk>/check-in/", views.check_in_new, name="check_in_new"),
    path("check-ins/<int:pk>/", views.check_in_detail, name="check_in"),
    path(
        "check-ins/<int:pk>/findings/<slug:code>/override/",
        views.check_in_override_view,
        name="check_in_override",
    ),
    path("consultations/screen/", views.screening_preview, name="screening_preview"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/sign/", views.consultation_sign_view, name="consultation_sign"),
    path(
        "consultations/<int:pk>/addenda/", views.consultation_addendum, name="consultation_addendum"
    ),
    path(
        "consultations/<int:pk>/findings/<int:finding_pk>/override/",
        views.finding_override_view,
        name="finding_override",
    ),
]
