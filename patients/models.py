from datetime import date

from django.conf import settings
from django.db import models

from patients.validators import display_phone


class Patient(models.Model):
    """A patient's record: who they are and how the clinic may contact them.

    Clinical information (history, consultations) lives elsewhere and is shown only to
    practitioners; everything here is what the front desk needs.
    """

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        NOT_STATED = "not_stated", "Prefers not to say"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    email = models.EmailField(blank=True)
    mobile = models.CharField(
        max_length=20,
        blank=True,
        help_text="For the clinic to call the patient. UK numbers may start with 0.",
    )
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    preferred_channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    consents_to_transactional_email = models.BooleanField(
        "agrees to appointment and care emails",
        default=False,
        help_text="Confirmations, reminders, preparation and aftercare.",
    )
    consents_to_marketing_email = models.BooleanField(
        "agrees to news and offers by email", default=False
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    physician_name = models.CharField("GP or physician", max_length=200, blank=True)
    physician_practice = models.CharField("practice", max_length=200, blank=True)
    physician_phone = models.CharField("practice phone", max_length=20, blank=True)
    notes = models.TextField(
        "front-desk notes",
        blank=True,
        help_text="Practical notes only (access needs, preferred times). Never clinical details.",
    )
    # What name search compares: first and last name, lower case, without accents.
    search_name = models.CharField(max_length=201, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Data rights (UK GDPR articles 17 and 18), set only through clinic.data_rights.
    # While restricted, nothing is sent to the patient (the outbox says why).
    restricted_at = models.DateTimeField(null=True, blank=True, editable=False)
    restriction_reason = models.CharField(max_length=500, blank=True, editable=False)
    # An erasure request: contact details went at once; the clinical record is kept until
    # ``clinical_retained_until`` and then anonymised (``anonymised_at``).
    erasure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    clinical_retained_until = models.DateField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["search_name"], name="patient_search_name"),
            models.Index(fields=["date_of_birth"], name="patient_birth_date"),
            models.Index(fields=["email"], name="patient_email"),
            models.Index(fields=["mobile"], name="patient_mobile"),
            # Deliberately no index in list order: PostgreSQL would walk it for the first
            # page of a search and filter most of the table instead of using the trigram
            # index (docs/benchmarks/patient-search.md).
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def mobile_display(self) -> str:
        return display_phone(self.mobile)

    # --- Data rights (views and templates ask; clinic.data_rights changes) ----------------

    @property
    def is_restricted(self) -> bool:
        """Nothing may be sent to the patient while this holds."""
        return self.restricted_at is not None

    @property
    def erasure_requested(self) -> bool:
        return self.erasure_requested_at is not None

    @property
    def may_be_emailed(self) -> bool:
        """Care emails (an offer from the waitlist, say) can reach the patient: not
        restricted, agreed to them, and an address on the record."""
        return not self.is_restricted and self.consents_to_transactional_email and bool(self.email)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def retention_over(self, today: date) -> bool:
        """An erased patient's clinical record is due to be anonymised on ``today``."""
        return (
            self.erasure_requested
            and not self.is_anonymised
            and self.clinical_retained_until is not None
            and self.clinical_retained_until <= today
        )
