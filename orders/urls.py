from django.urls import path

from orders.confirmations import views as confirmations
from orders.dashboard import views as dashboard
from orders.offers import views as offers
from orders.reports import views as reports
from orders.summaries import views as summaries

app_name = "orders"

urlpatterns = [
    path("requests/", offers.requests, name="requests"),
    path("department/", summaries.department_list, name="department_list"),
    path("summaries/new/", summaries.summary_create, name="summary_create"),
    path("summaries/<int:pk>/", summaries.summary_detail, name="summary"),
    path("summaries/<int:pk>/respond/", offers.summary_respond, name="respond"),
    path("summaries/<int:pk>/amend/", summaries.summary_amend, name="amend"),
    path("summaries/<int:pk>/edit/", summaries.summary_edit, name="edit"),
    path("summaries/<int:pk>/worker/", summaries.summary_worker, name="worker"),
    path("summaries/<int:pk>/reports/", summaries.summary_reports, name="summary_reports"),
    path("summaries/<int:pk>/<slug:action>/", summaries.summary_action, name="action"),
    path("orders/<int:pk>/", summaries.order_detail, name="order"),
    path("orders/<int:pk>/report/<slug:kind>/", reports.report_create, name="report_create"),
    path("orders/<int:pk>/confirm/", confirmations.confirm_month, name="confirm_month"),
    path("orders/<int:pk>/cancel/", summaries.order_cancel, name="order_cancel"),
    path("confirmations/<int:pk>/", confirmations.confirmation_detail, name="confirmation"),
    path("confirmations/<int:pk>/correct/", confirmations.confirmation_correct, name="confirmation_correct"),
    path(
        "confirmations/<int:pk>/acknowledge/", confirmations.confirmation_acknowledge, name="confirmation_acknowledge"
    ),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/recorded/", reports.report_done, name="report_done"),
    path("reports/<int:pk>/acknowledge/", reports.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/messages/", reports.report_message, name="report_message"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:block>/", dashboard.dashboard_report, name="dashboard_report"),
    path("dashboard/<slug:block>/export/<slug:fmt>/", dashboard.dashboard_export, name="dashboard_export"),
]
