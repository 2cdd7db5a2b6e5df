from django.conf import settings
from django.db import models


class ClinicAccess(models.Model):
    """Carries the role permissions that are about work, not about one model.

    No table: Django only needs the model to own these permissions, which the roles
    migration grants to the role groups.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("front_desk_work", "Register patients, book, reschedule and check in"),
            ("clinical_work", "Read clinical records; consult, screen and treat"),
            ("manage_clinic", "Configure the clinic: staff, rooms, hours and templates"),
            ("view_reports", "Read the clinic's reports"),
            ("view_audit_log", "Read the audit log"),
        ]

    def __str__(self) -> str:
        return "Clinic access"


class PractitionerProfile(models.Model):
    """The professional side of a practitioner's staff account."""

    class CalendarColour(models.TextChoices):
        TEAL = "teal", "Teal"
        INDIGO = "indigo", "Indigo"
        ORANGE = "orange", "Orange"
        PINK = "pink", "Pink"
        GREEN = "green", "Green"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner_profile"
    )
    job_title = models.CharField(max_length=100, default="Aesthetic practitioner")
    registration_body = models.CharField(
        max_length=100, blank=True, help_text="For example NMC, GMC or GDC."
    )
    registration_number = models.CharField(max_length=50, blank=True)
    calendar_colour = models.CharField(
        max_length=10, choices=CalendarColour.choices, default=CalendarColour.TEAL
    )

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class AuditSeal(models.Model):
    """The keyed hash that chains one audit entry to the entry sealed before it.

    ``digest`` is HMAC-SHA256, under the key from the environment (AUDIT_CHAIN_KEY), of the
    sequence number, the previous seal's digest and the entry's every field; see
    clinic/staff/audit_chain.py. Without the key nobody can forge, change or remove an
    entry without ``manage.py audit_verify`` naming it.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    entry = models.OneToOneField("auditlog.LogEntry", on_delete=models.PROTECT, related_name="seal")
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"Seal #{self.sequence}"


class AuditChainHead(models.Model):
    """The one row that says where the chain ends, locked by each append.

    Appending takes this row FOR UPDATE, so two processes sealing at once queue here
    instead of both chaining to the same predecessor; it also lets audit_verify notice
    entries cut from the end of the chain.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row")
        ]

    def __str__(self) -> str:
        return f"Audit chain head at #{self.sequence}"


class PasswordLinkRequest(models.Model):
    """One "forgot your password?" request, kept an hour or so to throttle them.

    Holds no address: a keyed digest of the one typed (which may not be anyone's), and the
    client address it came from.
    """

    email_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    requested_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Password link request at {self.requested_at:%Y-%m-%d %H:%M}"
