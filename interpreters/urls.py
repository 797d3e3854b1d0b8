from django.urls import path

from interpreters import views

app_name = "interpreters"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/sent/", views.sign_up_done, name="sign_up_done"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.registration_decide, name="registration_decide"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
    path("requests/<int:pk>/correct/", views.completion_correct, name="completion_correct"),
    path("requests/<int:pk>/calendar.ics", views.request_ics, name="request_ics"),
    path("requests/<int:pk>/complete/", views.completion_record, name="completion_record"),
    path("requests/<int:pk>/answer/<slug:answer>/", views.offer_answer, name="offer_answer"),
    path("requests/<int:pk>/<slug:action>/", views.coordinator_action, name="coordinator_action"),
    path("queue/", views.queue, name="queue"),
    path("interpreters/", views.interpreters, name="interpreters"),
    path("interpreters/<int:pk>/", views.interpreter_edit, name="interpreter_edit"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("rates/<int:pk>/", views.rate_edit, name="rate_edit"),
    path("my-work/", views.my_work, name="my_work"),
    path("my-availability/", views.availability, name="availability"),
]
