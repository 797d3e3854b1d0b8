"""Employment case management (LaMPSS): agency agreements, persons and cases, needs determination,
return-to-work action plans with interventions, funding requests and business partners.

Data and invariants only; every write is in the services of each area. One module an area (issue 14);
every name is importable from referrals.models as before the split.
"""

from .agreements import Agreement, ContractableAgency, Office
from .cases import (
    CASE_NUMBER_BASE,
    OPEN_CASE_STATUSES,
    OUTCOME_STATUSES,
    PLAN_STATUSES,
    Case,
    CaseDocument,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    DocumentType,
    EducationLevel,
    EmploymentOutcome,
    IncomeSource,
    NeedsDetermination,
    OutcomeType,
    Person,
    YesNoUnknown,
    _document_path,
)
from .funding import FundingRequest, FundingStatus
from .partners import BusinessPartner
from .plans import (
    EDITABLE_INTERVENTION_STATUSES,
    DeliveryModel,
    Intervention,
    InterventionStatus,
    PlanPrint,
    PrintStatus,
)
from .reference import Barrier, Dimension, FundingType, InterventionType, PartnerService, Program
from .referrals import (
    LETTER_PLACEHOLDERS,
    NETWORK_TYPES,
    SENT_STATUSES,
    CorrespondenceTemplate,
    DeclineReason,
    Referral,
    ReferralStatus,
    ReferralType,
    ResponseStatus,
    TransferStatus,
)

__all__ = [
    "CASE_NUMBER_BASE",
    "EDITABLE_INTERVENTION_STATUSES",
    "LETTER_PLACEHOLDERS",
    "NETWORK_TYPES",
    "OPEN_CASE_STATUSES",
    "OUTCOME_STATUSES",
    "PLAN_STATUSES",
    "SENT_STATUSES",
    "Agreement",
    "Barrier",
    "BusinessPartner",
    "Case",
    "CaseDocument",
    "CaseNote",
    "CaseStatus",
    "CaseStatusChange",
    "ContractableAgency",
    "CorrespondenceTemplate",
    "DeclineReason",
    "DeliveryModel",
    "Dimension",
    "DocumentType",
    "EducationLevel",
    "EmploymentOutcome",
    "FundingRequest",
    "FundingStatus",
    "FundingType",
    "IncomeSource",
    "Intervention",
    "InterventionStatus",
    "InterventionType",
    "NeedsDetermination",
    "Office",
    "OutcomeType",
    "PartnerService",
    "Person",
    "PlanPrint",
    "PrintStatus",
    "Program",
    "Referral",
    "ReferralStatus",
    "ReferralType",
    "ResponseStatus",
    "TransferStatus",
    "YesNoUnknown",
    # Named by migration 0001 (referrals.models._document_path): kept here so that it still loads.
    "_document_path",
]
