"""Every model of a course, one module a part, re-exported here where Django and readers
look for them: ``from treatments.models import TreatmentPlan``."""

from treatments.models.aftercare import (
    AftercareTemplate,
    IssuedAftercare,
)
from treatments.models.catalog import (
    DepthGuidance,
    Treatment,
    TreatmentArea,
)
from treatments.models.consultations import (
    CheckInScreening,
    ConsentSignature,
    ConsentText,
    Consultation,
    ConsultationAddendum,
    MedicalHistory,
    ScreeningFinding,
    ScreeningRuleChange,
    ScreeningRuleSetting,
    history_label,
    rule_change_refused,
    rule_state,
    rule_state_label,
)
from treatments.models.home_history import (
    MEDICINES,
    HistoryTakeIn,
    HomeHistory,
)
from treatments.models.limits import (
    FITZPATRICK_HIGHEST,
    FITZPATRICK_LOWEST,
    CourseLimits,
    LevelField,
    SkinThickness,
)
from treatments.models.medicines import (
    MedicineLine,
    MedicineRoute,
)
from treatments.models.plans import (
    SessionDepth,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.models.recall import (
    LotRecall,
)

__all__ = [
    "FITZPATRICK_HIGHEST",
    "FITZPATRICK_LOWEST",
    "MEDICINES",
    "AftercareTemplate",
    "CheckInScreening",
    "ConsentSignature",
    "ConsentText",
    "Consultation",
    "ConsultationAddendum",
    "CourseLimits",
    "DepthGuidance",
    "HistoryTakeIn",
    "HomeHistory",
    "IssuedAftercare",
    "LevelField",
    "LotRecall",
    "MedicalHistory",
    "MedicineLine",
    "MedicineRoute",
    "ScreeningFinding",
    "ScreeningRuleChange",
    "ScreeningRuleSetting",
    "SessionDepth",
    "SkinThickness",
    "Treatment",
    "TreatmentArea",
    "TreatmentPlan",
    "TreatmentSession",
    "history_label",
    "rule_change_refused",
    "rule_state",
    "rule_state_label",
]
