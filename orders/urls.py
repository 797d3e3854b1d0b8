from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("requests/", views.requests, name="requests"),
    path("department/", views.department_list, name="department_list"),
    path("summaries/new/", views.summary_create, name="summary_create"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/respond/", views.summary_respond, name="respond"),
    path("summaries/<int:pk>/amend/", views.summary_amend, name="amend"),
    path("summaries/<int:pk>/edit/", views.summary_edit, name="edit"),
    path("summaries/<int:pk>/worker/", views.summary_worker, name="worker"),
    path("summaries/<int:pk>/reports/", views.summary_reports, name="summary_reports"),
    path("summaries/<int:pk>/<slug:action>/", views.summary_action, name="action"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/report/<slug:kind>/", views.report_create, name="report_create"),
    path("orders/<int:pk>/confirm/", views.confirm_month, name="confirm_month"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("confirmations/<int:pk>/", views.confirmation_detail, name="confirmation"),
    path("confirmations/<int:pk>/correct/", views.confirmation_correct, name="confirmation_correct"),
    path(
        "confirmations/<int:pk>/acknowledge/", views.confirmation_acknowledge, name="confirmation_acknowledge"
    ),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/recorded/", views.report_done, name="report_done"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:block>/", views.dashboard_report, name="dashboard_report"),
    path("dashboard/<slug:block>/export/<slug:fmt>/", views.dashboard_export, name="dashboard_export"),
]
