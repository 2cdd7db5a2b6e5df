from django.urls import path

from treatments import aftercare_views, plan_views, views

app_name = "treatments"

urlpatterns = [
    path("catalog/", plan_views.catalog, name="catalog"),
    path("catalog/areas/<int:pk>/", plan_views.catalog_area, name="catalog_area"),
    path("consultations/<int:pk>/plans/new/", plan_views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/book/", plan_views.plan_book_view, name="plan_book"),
    path("plans/<int:pk>/status/<slug:action>/", plan_views.plan_status_view, name="plan_status"),
    path(
        "plans/<int:pk>/sessions/<int:number>/adjust/",
        plan_views.plan_session_adjust_view,
        name="plan_session_adjust",
    ),
    path(
        "plans/<int:pk>/sessions/<int:number>/move/",
        plan_views.plan_session_move_view,
        name="plan_session_move",
    ),
    path("catalog/aftercare/", aftercare_views.aftercare_templates, name="aftercare_templates"),
    path(
        "catalog/aftercare/<int:treatment_pk>/",
        aftercare_views.aftercare_template_edit,
        name="aftercare_template",
    ),
    path("sessions/<int:pk>/", plan_views.session_detail, name="session"),
    path("sessions/<int:pk>/aftercare/", aftercare_views.aftercare_print, name="aftercare"),
    path("sessions/<int:pk>/start/", plan_views.session_start_view, name="session_start"),
    path("sessions/<int:pk>/sign/", plan_views.session_sign_view, name="session_sign"),
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
