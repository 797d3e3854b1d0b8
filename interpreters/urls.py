from django.urls import path

from interpreters.billing import views as billing
from interpreters.pool import calendar as pool_calendar
from interpreters.pool import views as pool
from interpreters.registrations import views as registrations
from interpreters.requests import views as requests

app_name = "interpreters"

urlpatterns = [
    path("sign-up/", registrations.sign_up, name="sign_up"),
    path("sign-up/sent/", registrations.sign_up_done, name="sign_up_done"),
    path("registrations/", registrations.registrations, name="registrations"),
    path("registrations/<int:pk>/", registrations.registration_decide, name="registration_decide"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/cancel/", requests.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/assign/", requests.assign, name="assign"),
    path("requests/<int:pk>/correct/", requests.completion_correct, name="completion_correct"),
    path("requests/<int:pk>/calendar.ics", requests.request_ics, name="request_ics"),
    path("requests/<int:pk>/complete/", requests.completion_record, name="completion_record"),
    path("requests/<int:pk>/answer/<slug:answer>/", requests.offer_answer, name="offer_answer"),
    # The buttons of services.REQUEST_FLOW (confirm, validate, accept), by the transition's name.
    path("requests/<int:pk>/<slug:action>/", requests.request_action, name="coordinator_action"),
    path("queue/", requests.queue, name="queue"),
    path("interpreters/", pool.interpreters, name="interpreters"),
    path("interpreters/<int:pk>/", pool.interpreter_edit, name="interpreter_edit"),
    path("interpreters/<int:pk>/calendar/", pool_calendar.interpreter_calendar, name="interpreter_calendar"),
    path("statements/", billing.statements, name="statements"),
    path("statements/<int:pk>/", billing.statement_detail, name="statement"),
    path("rates/<int:pk>/", billing.rate_edit, name="rate_edit"),
    path("my-work/", requests.my_work, name="my_work"),
    path("my-availability/", pool.availability, name="availability"),
]
