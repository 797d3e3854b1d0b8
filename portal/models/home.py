"""The home page's work: tasks and notifications."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.accounts import Organization, User
from portal.scoping import scoped_manager


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class HomeItem(models.Model):
    """What the home page lists for one person: a bilingual title, a date and a link to the record.

    Created by apps through portal.services; `key` makes creating the same item twice harmless.
    """

    # title is bilingual through modeltranslation (title_fr, title_en): see portal/translation.py.
    title = models.CharField(_("title"), max_length=255)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("organization")
    )
    due_date = models.DateField(_("due date"), default=timezone.localdate)
    link = models.CharField(_("link"), max_length=500, help_text=_("Path of the record, e.g. /orders/12/."))
    key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Optional columns of a work list (LaMPSS: priority, case id, person, program, created by).
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    record_number = models.CharField(_("record number"), max_length=40, blank=True)
    record_link = models.CharField(_("record link"), max_length=500, blank=True)
    about = models.CharField(_("person"), max_length=200, blank=True)
    # details is bilingual through modeltranslation, like title (e.g. the program's name).
    details = models.CharField(_("details"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    # The record it is about, typed (content type + id) and why (its purpose: "develop-plan",
    # "report"…): readers ask for "the open tasks about case 12" through an index, never by a
    # substring of `key` or `link`. Set by the app when it creates the item (portal.services).
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    record = GenericForeignKey("record_type", "record_id")

    class Meta:
        abstract = True
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return not self.is_closed and self.due_date < timezone.localdate()


class Task(HomeItem):
    """Something a person has to do about a record, by a date."""

    assignee = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("assignee")
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    # A task is its assignee's: read through for_user (or for_organization for an organization's).
    objects = scoped_manager("organization", user="assignee")

    class Meta(HomeItem.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_date"]),
            models.Index(fields=["record_type", "record_id", "purpose"], name="portal_task_record"),
            # The home page and "My open tasks": a person's open tasks by due date, read in index
            # order (the id breaks ties) and stopped after the page, however many there are.
            models.Index(
                fields=["assignee", "due_date", "id"],
                condition=Q(done_at__isnull=True),
                name="portal_task_open",
            ),
        ]

    @property
    def is_closed(self):
        return self.done_at is not None


class Notification(HomeItem):
    """Something a person should know about a record."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = scoped_manager("organization", user="recipient")

    class Meta(HomeItem.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "due_date"]),
            models.Index(fields=["record_type", "record_id", "purpose"], name="portal_notification_record"),
            # The home page: a person's unread notifications by date (see Task's portal_task_open).
            models.Index(
                fields=["recipient", "due_date", "id"],
                condition=Q(read_at__isnull=True),
                name="portal_notification_unread",
            ),
        ]

    @property
    def is_closed(self):
        return self.read_at is not None
