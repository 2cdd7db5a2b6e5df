"""Treatments in the admin, read-only: the catalog changes on the catalog pages, versioned
texts by a new version, clinical records only through the practitioner's pages (signed
ones never). Clinical records are shown to practitioners only."""

from django.contrib import admin

from clinic.staff.admin_tools import ClinicalRecordAdmin, PersonalDataAdmin, ReadOnlyAdmin
from treatments.models import (
    AftercareTemplate,
    CheckInScreening,
    ConsentSignature,
    ConsentText,
    Consultation,
    ConsultationAddendum,
    DepthGuidance,
    HistoryTakeIn,
    HomeHistory,
    IssuedAftercare,
    LotRecall,
    MedicalHistory,
    MedicineLine,
    ScreeningFinding,
    ScreeningRuleChange,
    ScreeningRuleSetting,
    SessionDepth,
    Treatment,
    TreatmentArea,
    TreatmentPlan,
    TreatmentSession,
)

# --- The catalog ---------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class TreatmentAreaInline(ReadOnlyInline):
    model = TreatmentArea
    extra = 0
    fields = ["code", "name", "position", "default_sessions", "min_interval_days",
              "max_interval_days", "session_minutes", "is_active"]  # fmt: skip
    show_change_link = True


@admin.register(Treatment)
class TreatmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "appointment_type", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["appointment_type"]
    inlines = [TreatmentAreaInline]


class DepthGuidanceInline(ReadOnlyInline):
    model = DepthGuidance
    extra = 0


@admin.register(TreatmentArea)
class TreatmentAreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "treatment", "default_sessions", "min_interval_days",
                    "max_interval_days", "session_minutes", "is_active"]  # fmt: skip
    list_filter = ["treatment", "is_active"]
    list_select_related = ["treatment"]
    inlines = [DepthGuidanceInline]


@admin.register(DepthGuidance)
class DepthGuidanceAdmin(ReadOnlyAdmin):
    list_display = ["zone", "area", "thin_min_mm", "thin_max_mm", "thick_min_mm", "thick_max_mm"]
    list_filter = ["area__treatment", "area"]
    list_select_related = ["area"]


@admin.register(ScreeningRuleSetting)
class ScreeningRuleSettingAdmin(ReadOnlyAdmin):
    """Changed on the Screening rules page, which records who changed what."""

    list_display = ["code", "enabled", "level", "changed_by", "changed_at"]
    list_filter = ["enabled", "level"]
    list_select_related = ["changed_by"]


@admin.register(ScreeningRuleChange)
class ScreeningRuleChangeAdmin(ReadOnlyAdmin):
    """Each change the clinic made to a rule: old and new level, who, when, why."""

    list_display = ["title", "old_state", "new_state", "changed_by", "changed_at", "reason"]
    list_filter = ["code"]
    list_select_related = ["changed_by"]


@admin.register(ConsentText)
class ConsentTextAdmin(ReadOnlyAdmin):
    """A published version is what patients signed: it never changes."""

    list_display = ["title", "treatment", "version", "published_at", "published_by"]
    list_select_related = ["published_by"]


@admin.register(AftercareTemplate)
class AftercareTemplateAdmin(ReadOnlyAdmin):
    """A version is what patients were given: a change is a new version, written on
    the Aftercare page."""

    list_display = ["treatment", "version", "created_by", "created_at"]
    list_filter = ["treatment"]
    list_select_related = ["treatment", "created_by"]


# --- Clinical records ----------------------------------------------------------------


@admin.register(Consultation)
class ConsultationAdmin(ClinicalRecordAdmin):
    list_display = ["consulted_on", "patient", "practitioner", "status", "decision",
                    "screening_level"]  # fmt: skip
    list_filter = ["status", "decision", "screening_level"]
    list_select_related = ["patient", "practitioner"]
    search_fields = ["patient__search_name"]
    date_hierarchy = "consulted_on"


class MedicineLineInline(ReadOnlyInline):
    model = MedicineLine
    fields = ["text", "dose", "medicine_label", "route", "current", "stopped_on",
              "confirmed_by", "confirmed_at"]  # fmt: skip


@admin.register(MedicalHistory)
class MedicalHistoryAdmin(ClinicalRecordAdmin):
    inlines = [MedicineLineInline]
    list_display = ["consultation", "patient_name"]
    list_select_related = ["consultation__patient"]
    search_fields = ["consultation__patient__search_name"]

    @admin.display(description="Patient")
    def patient_name(self, obj: MedicalHistory) -> str:
        return obj.consultation.patient.full_name


@admin.register(MedicineLine)
class MedicineLineAdmin(ClinicalRecordAdmin):
    """Written through the consultation form; kept as recorded."""

    list_display = ["text", "medicine_label", "route", "current", "history", "confirmed_by"]
    list_filter = ["route", "current"]
    list_select_related = ["history", "confirmed_by"]


@admin.register(HomeHistory)
class HomeHistoryAdmin(ClinicalRecordAdmin):
    """The patient's own account, kept as given; reviewed on the consultation page."""

    list_display = ["appointment", "patient", "started_at", "submitted_at", "screening_level"]
    list_filter = ["screening_level"]
    list_select_related = ["patient", "appointment"]
    search_fields = ["patient__search_name"]


@admin.register(HistoryTakeIn)
class HistoryTakeInAdmin(ClinicalRecordAdmin):
    """What the practitioner took from a home history into a consultation."""

    list_display = ["consultation", "field", "by", "at"]
    list_select_related = ["consultation__patient", "by"]


@admin.register(ScreeningFinding)
class ScreeningFindingAdmin(ClinicalRecordAdmin):
    list_display = ["consultation", "code", "level", "needs_physician_clearance",
                    "overridden_by", "overridden_at"]  # fmt: skip
    list_filter = ["level", "code", "needs_physician_clearance"]
    list_select_related = ["consultation__patient", "overridden_by"]


@admin.register(ConsultationAddendum)
class ConsultationAddendumAdmin(ClinicalRecordAdmin):
    list_display = ["consultation", "author", "created_at"]
    list_select_related = ["consultation__patient", "author"]


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ClinicalRecordAdmin):
    list_display = ["patient", "consent_text", "agreed", "signed_at", "witnessed_by"]
    list_select_related = ["patient", "consent_text", "witnessed_by"]
    search_fields = ["patient__search_name", "typed_name"]
    date_hierarchy = "signed_at"


@admin.register(CheckInScreening)
class CheckInScreeningAdmin(ClinicalRecordAdmin):
    list_display = ["screened_on", "patient", "level", "may_start", "by"]
    list_filter = ["may_start", "level"]
    list_select_related = ["patient", "by"]
    search_fields = ["patient__search_name"]
    date_hierarchy = "screened_on"


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ClinicalRecordAdmin):
    list_display = ["__str__", "patient", "treatment", "location", "sessions_planned",
                    "status", "created_at"]  # fmt: skip
    list_filter = ["status", "treatment", "location"]
    list_select_related = ["patient", "treatment", "location"]
    search_fields = ["patient__search_name"]
    date_hierarchy = "created_at"


class SessionDepthInline(ReadOnlyInline):
    model = SessionDepth


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(ClinicalRecordAdmin):
    list_display = ["__str__", "status", "appointment", "signed_by", "signed_at"]
    list_filter = ["status", "device"]
    list_select_related = ["plan", "appointment", "signed_by"]
    search_fields = ["plan__patient__search_name", "needle_lot"]
    inlines = [SessionDepthInline]


@admin.register(SessionDepth)
class SessionDepthAdmin(ClinicalRecordAdmin):
    list_display = ["session", "zone", "depth_mm", "reason"]
    list_select_related = ["session"]


@admin.register(IssuedAftercare)
class IssuedAftercareAdmin(ClinicalRecordAdmin):
    list_display = ["session", "version", "issued_by", "issued_at"]
    list_select_related = ["session", "issued_by"]
    search_fields = ["session__plan__patient__search_name"]
    date_hierarchy = "issued_at"


@admin.register(LotRecall)
class LotRecallAdmin(PersonalDataAdmin):
    """Who was written to about a recalled lot: for the roles that send recalls."""

    list_display = ["sent_at", "needle_lot", "device_model", "sent_by"]
    list_select_related = ["sent_by"]
    search_fields = ["needle_lot", "device_model"]
    date_hierarchy = "sent_at"
    filter_horizontal = ["patients"]
