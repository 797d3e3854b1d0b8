from django.urls import path

from referrals.agreements import views as agreements
from referrals.cases import views as cases
from referrals.funding import views as funding
from referrals.partners import views as partners
from referrals.plans import views as plans
from referrals.referrals import views as referrals
from referrals.reports import views as reports

app_name = "referrals"

case = "cases/<int:number>/"
urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("lookup/", cases.case_lookup, name="case_lookup"),
    path("cases/new/", cases.case_create, name="case_create"),
    path(case, cases.case_home, name="case"),
    path(case + "details/", cases.case_details, name="case_details"),
    path(case + "additional/", cases.case_additional, name="case_additional"),
    path(case + "education/", cases.case_education, name="case_education"),
    path(case + "needs/", plans.needs, name="needs"),
    path(case + "needs/<int:version>/", plans.needs_version, name="needs_version"),
    path(case + "plan/", plans.plan, name="plan"),
    path(case + "plan/delete/", plans.plan_delete, name="plan_delete"),
    path(case + "plan/add/", plans.intervention_add, name="intervention_add"),
    path(case + "plan/print/", plans.plan_print, name="plan_print"),
    path(case + "plan/prints/<int:pk>/", plans.plan_print_status, name="plan_print_status"),
    path(case + "plan/<int:pk>/", plans.intervention_detail, name="intervention"),
    path(case + "plan/<int:pk>/edit/", plans.intervention_edit, name="intervention_edit"),
    path(case + "plan/<int:pk>/funding/", plans.funding_request_create, name="funding_request"),
    path(case + "plan/<int:pk>/<slug:action>/", plans.intervention_action, name="intervention_action"),
    path(case + "outcomes/", cases.outcomes, name="outcomes"),
    path(case + "notes/", cases.notes, name="notes"),
    path(case + "tasks/", cases.case_tasks, name="case_tasks"),
    path(case + "status/", cases.case_status, name="case_status"),
    path(case + "status/<slug:action>/", cases.case_status_action, name="case_status_action"),
    path(case + "status/<slug:action>/reason/", cases.case_close, name="case_close"),
    path(case + "reassign/", cases.case_reassign, name="case_reassign"),
    path(case + "documents/", cases.documents, name="documents"),
    path(case + "referrals/", referrals.referrals, name="referrals"),
    path(case + "referrals/<int:pk>/", referrals.referral_edit, name="referral_edit"),
    path(case + "referrals/<int:pk>/documents/", referrals.referral_document, name="referral_document"),
    path(case + "referrals/<int:pk>/send/", referrals.referral_send, name="referral_send"),
    path(case + "referrals/<int:pk>/cancel/", referrals.referral_cancel, name="referral_cancel"),
    path(case + "referrals/<int:pk>/<slug:action>/", referrals.referral_action, name="referral_action"),
    path("incoming/", referrals.incoming, name="incoming"),
    path("incoming/<int:pk>/", referrals.incoming_detail, name="incoming_detail"),
    path("incoming/<int:pk>/transfer/", referrals.transfer, name="transfer"),
    path("incoming/<int:pk>/respond/<slug:action>/", referrals.incoming_respond, name="incoming_respond"),
    path("templates/", referrals.template_list, name="template_list"),
    path("templates/new/", referrals.template_edit, name="template_create"),
    path("templates/<int:pk>/", referrals.template_edit, name="template_edit"),
    path("documents/<int:pk>/", cases.document_download, name="document"),
    path("prints/<int:pk>/", plans.plan_print_download, name="plan_print_download"),
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.partner_edit, name="partner_create"),
    path("partners/<int:pk>/", partners.partner_detail, name="partner"),
    path("partners/<int:pk>/edit/", partners.partner_edit, name="partner_edit"),
    path("funding/", funding.funding_list, name="funding_list"),
    path("funding/<int:pk>/", funding.funding_decide, name="funding_decide"),
    path("agencies/", agreements.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", agreements.agency_detail, name="agency"),
    path("agencies/<int:agency_pk>/offices/new/", agreements.office_edit, name="office_create"),
    path("offices/<int:pk>/", agreements.office_edit, name="office_edit"),
    path("agreements/new/", agreements.agreement_edit, name="agreement_create"),
    path("agreements/<int:pk>/", agreements.agreement_edit, name="agreement_edit"),
    path("reference/", agreements.reference_index, name="reference_index"),
    path("reference/<slug:kind>/", agreements.reference_list, name="reference_list"),
    path("reference/<slug:kind>/new/", agreements.reference_edit, name="reference_create"),
    path("reference/<slug:kind>/<int:pk>/", agreements.reference_edit, name="reference_edit"),
    path("accountability/", reports.accountability, name="accountability"),
    path("accountability/export/", reports.accountability_export, name="accountability_export"),
]
