from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    # Configuration (Pilot)
    path("configuration/", views.checklist, name="checklist"),
    path("configuration/online-booking/", views.online_booking, name="online_booking"),
    path("configuration/services/", views.service_list, name="service_list"),
    path("configuration/services/new/", views.service_edit, name="service_create"),
    path("configuration/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("configuration/services/<int:pk>/attachment/", views.service_attachment, name="service_attachment"),
    path("configuration/locations/", views.location_list, name="location_list"),
    path("configuration/locations/new/", views.location_edit, name="location_create"),
    path("configuration/locations/<int:pk>/", views.location_edit, name="location_edit"),
    path("configuration/resources/", views.resource_list, name="resource_list"),
    path("configuration/resources/new/", views.resource_edit, name="resource_create"),
    path("configuration/resources/<int:pk>/", views.resource_edit, name="resource_edit"),
    path(
        "configuration/resources/<int:pk>/associations/",
        views.resource_associations,
        name="resource_associations",
    ),
    path("configuration/accounts/new/", views.account_create, name="account_create"),
    path("configuration/accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("configuration/accounts/<int:pk>/roles/", views.account_roles, name="account_roles"),
    path("configuration/accounts/<int:account_pk>/roles/new/", views.role_edit, name="role_create"),
    path(
        "configuration/accounts/<int:pk>/reset-password/",
        views.account_reset_password,
        name="account_reset_password",
    ),
    path("configuration/accounts/<int:pk>/end-access/", views.account_end_access, name="account_end_access"),
    path("configuration/roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("configuration/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("configuration/communications/", views.communications, name="communications"),
    path("configuration/public-page/", views.public_page_settings, name="public_page_settings"),
    path("configuration/public-page/preview/", views.public_page_preview, name="public_page_preview"),
    # Schedules (Management)
    path("schedules/", views.calendar, name="calendar"),
    path("schedules/slots/new/", views.slot_create, name="slot_create"),
    path("schedules/slots/<int:pk>/", views.slot_edit, name="slot"),
    path("schedules/slots/<int:pk>/delete/", views.slot_delete, name="slot_delete"),
    path("schedules/slots/<int:pk>/lock/", views.slot_lock, name="slot_lock"),
    path("schedules/day-lock/", views.day_lock, name="day_lock"),
    path("schedules/clone/", views.clone, name="clone"),
    # Appointments (Management)
    path("book/", views.book, name="book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/edit/", views.appointment_edit, name="appointment_edit"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("follow-up/columns/", views.follow_up_columns, name="follow_up_columns"),
    path("follow-up/batch/", views.follow_up_batch, name="follow_up_batch"),
    path("follow-up/export/", views.follow_up_export, name="follow_up_export"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
    # Public (no account)
    path("public/<int:organization_id>/", views.public_page, name="public_page"),
    path("public/<int:organization_id>/logo/", views.public_logo, name="public_logo"),
    path("public/<int:organization_id>/search/", views.public_search, name="public_search"),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/",
        views.public_eligibility,
        name="public_eligibility",
    ),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/time/",
        views.public_times,
        name="public_times",
    ),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/details/",
        views.public_details,
        name="public_details",
    ),
    path(
        "public/<int:organization_id>/confirmation/<str:number>/",
        views.public_confirmation,
        name="public_confirmation",
    ),
    path("public/<int:organization_id>/cancel/", views.public_cancel, name="public_cancel"),
    path("r/<str:token>/", views.manage_by_link, name="manage"),
]
