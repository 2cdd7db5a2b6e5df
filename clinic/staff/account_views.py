"""Sign-in's second step, passwords, and the clinic manager's staff accounts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff import accounts, mfa
from clinic.staff.access import permission_required, user_roles
from clinic.staff.accounts import SELF_SERVICE_USERNAME
from clinic.staff.client_ip import client_ip
from clinic.staff.forms import EnrolForm, PasswordForgotForm, SecondFactorForm, StaffMemberForm
from clinic.staff.middleware import MFA_ENROLLED
from clinic.staff.roles import MANAGE_CLINIC, Role

ENROL_KEY = "clinic_mfa_enrol_key"


def _next_page(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site, nothing else: redirect() would try a bare word as a URL name.
    is_path = target.startswith("/") and target.isprintable()
    if is_path and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device: object) -> None:
    # A new session key once the second factor is passed, as Django does at sign-in.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[MFA_ENROLLED] = True


# --- The second step of signing in ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator's code, or a recovery code."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_page(request))
    if not mfa.mfa_enrolled(request.user):  # type: ignore[arg-type]
        request.session[MFA_ENROLLED] = False
        return redirect(f"{resolve_url('mfa_enrol')}?{request.GET.urlencode()}")
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        device = mfa.mfa_verify(user=request.user, token=form.cleaned_data["code"])  # type: ignore[arg-type]
        if device is not None:
            _verified(request, device)
            if not isinstance(device, TOTPDevice):
                left = mfa.recovery_codes_left(request.user)  # type: ignore[arg-type]
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If you have lost your "
                    "phone, ask the clinic manager to reset your two-step sign-in.",
                )
            return redirect(_next_page(request))
        form.add_error("code", mfa.WRONG_CODE)
    return render(
        request, "registration/mfa_verify.html", {"form": form, "next": _next_page(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, type the first code, keep the
    recovery codes. Required at first sign-in for the roles that need it; open to all."""
    user = request.user
    if mfa.mfa_enrolled(user):  # type: ignore[arg-type]
        return redirect(_next_page(request) if user.is_verified() else "mfa_verify")  # type: ignore[union-attr]
    key = request.session.get(ENROL_KEY) or mfa.new_secret()
    request.session[ENROL_KEY] = key
    form = EnrolForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = mfa.mfa_enrol(user=user, key=key, token=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[ENROL_KEY]
            _verified(request, device)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_page(request)},
            )
    context = {
        "form": form,
        "qr_code": mfa.qr_code_data_uri(user, key),  # type: ignore[arg-type]
        "secret": mfa.secret_for_typing(key),
        "required": mfa.mfa_required(user),
        "next": _next_page(request),
    }
    return render(request, "registration/mfa_enrol.html", context)


# --- Passwords --------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Everyone changes their own password (the old one first); they stay signed in."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("today")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


password_change = PasswordChangeView.as_view()


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a link by email. The answer never says whether an account has the address."""
    form = PasswordForgotForm(request.POST or None)
    if form.is_valid():
        within_limits = accounts.password_link_request(
            email=form.cleaned_data["email"], ip_address=client_ip(request), now=timezone.now()
        )
        if not within_limits:
            return render(
                request,
                "registration/password_forgot.html",
                {"form": form, "throttled": True},
                status=429,
            )
        return redirect("password_forgot_sent")
    return render(request, "registration/password_forgot.html", {"form": form})


def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_forgot_sent.html")


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page an invitation or reset link opens: choose a password, then sign in."""

    template_name = "registration/password_set.html"
    success_url = reverse_lazy("password_set_done")
    post_reset_login = False


password_set = PasswordSetView.as_view()


def password_set_done(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Your password is set. Sign in with it now.")
    return redirect("login")


# --- The clinic manager's staff accounts ------------------------------------------------


# The accounts a clinic manager looks after: colleagues, not the site's superusers (whose
# email, password link or second factor would otherwise be theirs to take) nor the
# account patients' own bookings are recorded under.
def _managed() -> QuerySet[User]:
    return User.objects.filter(is_superuser=False).exclude(username=SELF_SERVICE_USERNAME)


def _staff_member(pk: int) -> User:
    return get_object_or_404(_managed(), pk=pk)


@login_required
@permission_required(MANAGE_CLINIC)
def staff_list(request: HttpRequest) -> HttpResponse:
    """Everyone with an account: roles, whether switched off, whether two-step is set up."""
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    members = (
        _managed()
        .annotate(has_authenticator=Exists(enrolled))
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("-is_active", "first_name", "last_name", "username")
    )
    return render(request, "staff/staff_list.html", {"members": members})


@login_required
@permission_required(MANAGE_CLINIC)
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffMemberForm(request.POST or None)
    if form.is_valid():
        try:
            user = accounts.staff_member_invite(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{user.get_full_name()} is invited: an email with a link is on its way."
            )
            return redirect("staff_detail", user.pk)
    return render(request, "staff/staff_form.html", {"form": form, "member": None})


@login_required
@permission_required(MANAGE_CLINIC)
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _staff_member(pk)
    roles = sorted(user_roles(member))
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "roles": [role.value for role in roles],
    }
    form = StaffMemberForm(request.POST or None, initial=initial, new=False)
    if form.is_valid():
        try:
            accounts.staff_member_update(user=member, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{member.get_full_name()}'s account is saved.")
            return redirect("staff_detail", member.pk)
    context = {
        "form": form,
        "member": member,
        "roles": roles,
        "has_authenticator": mfa.mfa_enrolled(member),
        "is_self": member.pk == request.user.pk,
        "Role": Role,
    }
    return render(request, "staff/staff_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def staff_switch(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    if state not in ("on", "off"):
        raise Http404
    member = _staff_member(pk)
    try:
        accounts.staff_member_switch(user=member, active=state == "on", by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = "switched on again" if member.is_active else "switched off: they cannot sign in"
        messages.success(request, f"{member.get_full_name()}'s account is {done}.")
    return redirect("staff_detail", member.pk)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def staff_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    member = _staff_member(pk)
    if not (member.is_active and member.email):
        messages.error(request, "Only an account that is on and has an email address gets a link.")
    else:
        accounts.password_link_send(user=member, purpose="reset")
        messages.success(request, f"A link to set a new password is on its way to {member.email}.")
    return redirect("staff_detail", member.pk)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def staff_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = _staff_member(pk)
    if member.pk == request.user.pk:
        messages.error(request, "Another clinic manager resets your own two-step sign-in.")
    elif mfa.mfa_reset(user=member):
        messages.success(
            request,
            f"{member.get_full_name()}'s two-step sign-in is reset: they set up a new "
            "authenticator at their next sign-in.",
        )
    else:
        messages.info(request, f"{member.get_full_name()} has no two-step sign-in to reset.")
    return redirect("staff_detail", member.pk)
