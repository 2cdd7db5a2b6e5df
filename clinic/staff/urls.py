from django.contrib.auth import views as auth_views
from django.urls import path

from clinic.staff import account_views, views
from clinic.staff.forms import SignInForm

sign_in = auth_views.LoginView.as_view(
    authentication_form=SignInForm, redirect_authenticated_user=True
)

urlpatterns = [
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
    path("accounts/verify/", account_views.mfa_verify, name="mfa_verify"),
    path("accounts/two-step/", account_views.mfa_enrol, name="mfa_enrol"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("accounts/password/forgot/", account_views.password_forgot, name="password_forgot"),
    path(
        "accounts/password/forgot/sent/",
        account_views.password_forgot_sent,
        name="password_forgot_sent",
    ),
    path(
        "accounts/password/set/<uidb64>/<token>/",
        account_views.password_set,
        name="password_set",
    ),
    path("accounts/password/set/done/", account_views.password_set_done, name="password_set_done"),
    path("audit/", views.audit_log, name="audit_log"),
    path("staff/", account_views.staff_list, name="staff_list"),
    path("staff/new/", account_views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", account_views.staff_detail, name="staff_detail"),
    path(
        "staff/<int:pk>/switch/<str:state>/",
        account_views.staff_switch,
        name="staff_switch",
    ),
    path(
        "staff/<int:pk>/password-link/",
        account_views.staff_password_link,
        name="staff_password_link",
    ),
    path("staff/<int:pk>/two-step-reset/", account_views.staff_mfa_reset, name="staff_mfa_reset"),
]
