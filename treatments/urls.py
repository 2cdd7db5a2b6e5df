from django.urls import path

from treatments.aftercare import views as aftercare_views
from treatments.catalog import views as catalog_views
from treatments.consultations import home_history_views, home_views
from treatments.consultations import views as consultations_views
from treatments.plans import patient_views as plan_patient_views
from treatments.plans import views as plans_views
from treatments.sessions import views as sessions_views

app_name = "treatments"

urlpatterns = [
    path("catalog/", catalog_views.catalog, name="catalog"),
    path("catalog/areas/<int:pk>/", catalog_views.catalog_area, name="catalog_area"),
    path("consultations/<int:pk>/plans/new/", plans_views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans_views.plan_detail, name="plan"),
    path("book/<str:token>/", plan_patient_views.book_session, name="book_session"),
    path(
        "book/<str:token>/waitlist/",
        plan_patient_views.book_session_waitlist,
        name="book_session_waitlist",
    ),
    path("history/<str:token>/", home_views.home_history, name="home_history"),
    path("history/<str:token>/send/", home_views.home_history_send, name="home_history_send"),
    path(
        "history/<str:token>/consent/",
        home_views.home_history_consent,
        name="home_history_consent",
    ),
    path(
        "history/<str:token>/medicines/",
        home_views.home_history_medicines,
        name="home_history_medicines",
    ),
    path("plans/<int:pk>/book/", plans_views.plan_book_view, name="plan_book"),
    path("plans/<int:pk>/status/<slug:action>/", plans_views.plan_status_view, name="plan_status"),
    path(
        "plans/<int:pk>/sessions/<int:number>/adjust/",
        plans_views.plan_session_adjust_view,
        name="plan_session_adjust",
    ),
    path(
        "plans/<int:pk>/sessions/<int:number>/move/",
        plans_views.plan_session_move_view,
        name="plan_session_move",
    ),
    path("catalog/aftercare/", aftercare_views.aftercare_templates, name="aftercare_templates"),
    path(
        "catalog/aftercare/<int:treatment_pk>/",
        aftercare_views.aftercare_template_edit,
        name="aftercare_template",
    ),
    path("sessions/<int:pk>/", sessions_views.session_detail, name="session"),
    path("sessions/<int:pk>/aftercare/", aftercare_views.aftercare_print, name="aftercare"),
    path("sessions/<int:pk>/start/", sessions_views.session_start_view, name="session_start"),
    path("sessions/<int:pk>/sign/", sessions_views.session_sign_view, name="session_sign"),
    path("recall/", sessions_views.lot_recall, name="lot_recall"),
    path("recall/sessions.csv", sessions_views.lot_recall_csv, name="lot_recall_csv"),
    path("recall/send/", sessions_views.lot_recall_send_view, name="lot_recall_send"),
    path("screening-rules/", consultations_views.screening_rules, name="screening_rules"),
    path("consent-texts/", consultations_views.consent_texts, name="consent_texts"),
    path(
        "screening-rules/<slug:code>/",
        consultations_views.screening_rule_update,
        name="screening_rule",
    ),
    path(
        "patients/<int:patient_pk>/consultations/new/",
        consultations_views.consultation_new,
        name="consultation_new",
    ),
    path(
        "patients/<int:patient_pk>/consent/",
        consultations_views.consent_sign_view,
        name="consent_sign",
    ),
    path("patients/<int:patient_pk>/check-in/", sessions_views.check_in_new, name="check_in_new"),
    path("check-ins/<int:pk>/", sessions_views.check_in_detail, name="check_in"),
    path(
        "check-ins/<int:pk>/findings/<slug:code>/override/",
        sessions_views.check_in_override_view,
        name="check_in_override",
    ),
    path("consultations/screen/", consultations_views.screening_preview, name="screening_preview"),
    path("medicines/suggest/", consultations_views.medicine_suggest, name="medicine_suggest"),
    path("consultations/<int:pk>/", consultations_views.consultation_detail, name="consultation"),
    path(
        "consultations/<int:pk>/history-from-home/",
        home_history_views.home_history_review_view,
        name="home_history_review",
    ),
    path(
        "consultations/<int:pk>/history-from-home/take-in/",
        home_history_views.home_history_take_in,
        name="home_history_take_in",
    ),
    path(
        "consultations/<int:pk>/history-from-home/take-in-all/",
        home_history_views.home_history_take_in_all,
        name="home_history_take_in_all",
    ),
    path(
        "consultations/<int:pk>/edit/",
        consultations_views.consultation_edit,
        name="consultation_edit",
    ),
    path(
        "consultations/<int:pk>/sign/",
        consultations_views.consultation_sign_view,
        name="consultation_sign",
    ),
    path(
        "consultations/<int:pk>/addenda/",
        consultations_views.consultation_addendum,
        name="consultation_addendum",
    ),
    path(
        "consultations/<int:pk>/findings/<int:finding_pk>/override/",
        consultations_views.finding_override_view,
        name="finding_override",
    ),
]
