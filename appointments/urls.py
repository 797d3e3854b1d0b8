from django.urls import path

from appointments import waiting_room
from appointments.accounts import views as accounts
from appointments.booking import (
    views_form,
    views_notices,
    views_own,
    views_search,
    views_second_dose,
    views_staff,
)
from appointments.configuration import views as configuration
from appointments.follow_up import views as follow_up
from appointments.schedules import views as schedules
from appointments.waitlist import views as waitlist
from appointments.waitlist import views_public as waitlist_public

app_name = "appointments"

urlpatterns = [
    # Configuration (Pilot)
    path("configuration/", configuration.checklist, name="checklist"),
    path("configuration/online-booking/", configuration.online_booking, name="online_booking"),
    path("configuration/services/", configuration.service_list, name="service_list"),
    path("configuration/services/new/", configuration.service_edit, name="service_create"),
    path("configuration/services/<int:pk>/", configuration.service_edit, name="service_edit"),
    path(
        "configuration/services/<int:pk>/attachment/",
        configuration.service_attachment,
        name="service_attachment",
    ),
    path("configuration/locations/", configuration.location_list, name="location_list"),
    path("configuration/locations/new/", configuration.location_edit, name="location_create"),
    path("configuration/locations/<int:pk>/", configuration.location_edit, name="location_edit"),
    path("configuration/resources/", configuration.resource_list, name="resource_list"),
    path("configuration/resources/new/", configuration.resource_edit, name="resource_create"),
    path("configuration/resources/<int:pk>/", configuration.resource_edit, name="resource_edit"),
    path(
        "configuration/resources/<int:pk>/associations/",
        configuration.resource_associations,
        name="resource_associations",
    ),
    path("configuration/accounts/new/", accounts.account_create, name="account_create"),
    path("configuration/accounts/<int:pk>/", accounts.account_edit, name="account_edit"),
    path("configuration/accounts/<int:pk>/roles/", accounts.account_roles, name="account_roles"),
    path("configuration/accounts/<int:account_pk>/roles/new/", accounts.role_edit, name="role_create"),
    path(
        "configuration/accounts/<int:pk>/reset-password/",
        accounts.account_reset_password,
        name="account_reset_password",
    ),
    path(
        "configuration/accounts/<int:pk>/end-access/", accounts.account_end_access, name="account_end_access"
    ),
    path("configuration/roles/<int:pk>/", accounts.role_edit, name="role_edit"),
    path("configuration/roles/<int:pk>/remove/", accounts.role_remove, name="role_remove"),
    path("configuration/communications/", configuration.communications, name="communications"),
    path("configuration/public-page/", configuration.public_page_settings, name="public_page_settings"),
    path("configuration/public-page/preview/", configuration.public_page_preview, name="public_page_preview"),
    path("configuration/waiting-room/", waiting_room.waiting_room_settings, name="waiting_room_settings"),
    path("configuration/waitlist/", waitlist.waitlist, name="waitlist"),
    path("configuration/waiting-room/preview/", waiting_room.waiting_room_preview, name="waiting_room_preview"),
    # Schedules (Management)
    path("schedules/", schedules.calendar, name="calendar"),
    path("schedules/slots/new/", schedules.slot_create, name="slot_create"),
    path("schedules/slots/<int:pk>/", schedules.slot_edit, name="slot"),
    path("schedules/slots/<int:pk>/delete/", schedules.slot_delete, name="slot_delete"),
    path("schedules/slots/<int:pk>/lock/", schedules.slot_lock, name="slot_lock"),
    path("schedules/day-lock/", schedules.day_lock, name="day_lock"),
    path("schedules/clone/", schedules.clone, name="clone"),
    # Appointments (Management)
    path("book/", views_staff.book, name="book"),
    path("appointments/<int:pk>/", follow_up.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/edit/", follow_up.appointment_edit, name="appointment_edit"),
    path("follow-up/", follow_up.follow_up, name="follow_up"),
    path("follow-up/columns/", follow_up.follow_up_columns, name="follow_up_columns"),
    path("follow-up/batch/", follow_up.follow_up_batch, name="follow_up_batch"),
    path("follow-up/export/", follow_up.follow_up_export, name="follow_up_export"),
    path("statistics/", follow_up.statistics, name="statistics"),
    path("statistics/export/", follow_up.statistics_export, name="statistics_export"),
    # Public (no account)
    path("public/<int:organization_id>/", configuration.public_page, name="public_page"),
    path("public/<int:organization_id>/logo/", configuration.public_logo, name="public_logo"),
    path("public/<int:organization_id>/search/", views_search.public_search, name="public_search"),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/",
        views_search.public_eligibility,
        name="public_eligibility",
    ),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/time/",
        views_search.public_times,
        name="public_times",
    ),
    path(
        "public/<int:organization_id>/book/<int:service_id>/<int:location_id>/details/",
        views_form.public_details,
        name="public_details",
    ),
    path(
        "public/<int:organization_id>/confirmation/<str:number>/",
        views_form.public_confirmation,
        name="public_confirmation",
    ),
    path(
        "public/<int:organization_id>/second-dose/<str:token>/",
        views_second_dose.public_second_dose,
        name="public_second_dose",
    ),
    path(
        "public/<int:organization_id>/second-dose/<str:token>/<int:location_id>/",
        views_second_dose.public_second_dose,
        name="public_second_dose_at",
    ),
    path("public/<int:organization_id>/cancel/", views_own.public_cancel, name="public_cancel"),
    path(
        "public/<int:organization_id>/waitlist/<int:service_id>/",
        waitlist_public.public_waitlist,
        name="public_waitlist",
    ),
    path(
        "public/<int:organization_id>/waitlist/<int:service_id>/done/",
        waitlist_public.public_waitlist_done,
        name="public_waitlist_done",
    ),
    path(
        "public/<int:organization_id>/waitlist/leave/<str:token>/",
        waitlist_public.public_waitlist_leave,
        name="public_waitlist_leave",
    ),
    path(
        "public/<int:organization_id>/waitlist/offer/<str:token>/",
        waitlist_public.public_waitlist_offer,
        name="public_waitlist_offer",
    ),
    path("public/<int:organization_id>/terms/", views_notices.public_terms, name="public_terms"),
    path("public/<int:organization_id>/privacy/", views_notices.public_privacy, name="public_privacy"),
    path("r/<str:token>/", views_own.manage_by_link, name="manage"),
    path("r/<str:token>/change/", views_own.reschedule_by_link, name="manage_change"),
]
