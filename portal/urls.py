from django.urls import path

from portal import help_pages, sms_webhooks, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("security/setup/", views.mfa_setup, name="mfa_setup"),
    path("security/verify/", views.mfa_verify, name="mfa_verify"),
    path("security/backup-codes/", views.backup_codes, name="backup_codes"),
    path("role/", views.switch_role, name="switch_role"),
    path("language/", views.set_language, name="language"),
    path("tasks/", views.task_list, name="task_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("tasks/<int:pk>/done/", views.complete_task, name="complete_task"),
    path("notifications/<int:pk>/", views.open_notification, name="open_notification"),
    path("organization/", views.my_organization, name="my_organization"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organization/invite/", views.invite_member, name="invite"),
    path("organization/invitations/", views.invitation_list, name="invitations"),
    path("organization/invitations/<int:pk>/resend/", views.resend_invitation, name="resend_invitation"),
    path("organization/invitations/<int:pk>/withdraw/", views.withdraw_invitation, name="withdraw_invitation"),
    path("welcome/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("audit/", views.audit_log, name="audit_log"),
    path("help/", help_pages.help_page, name="help"),
    path("help/<slug:portal>/edit/", help_pages.help_edit, name="help_edit"),
    path("about/", help_pages.about, name="about"),
    path("terms/", help_pages.terms, name="terms"),
    path("privacy/", help_pages.privacy, name="privacy"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("outbox/", views.outbox, name="outbox"),
    path("health/", views.health, name="health"),
    # The SMS provider's webhooks (server to server, signed: portal.sms_webhooks).
    path("sms/twilio/status/", sms_webhooks.twilio_status, name="sms_twilio_status"),
    path("sms/twilio/inbound/", sms_webhooks.twilio_inbound, name="sms_twilio_inbound"),
    path("session/keepalive/", views.keepalive, name="keepalive"),
]
