from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from municipalities import permissions as people
from municipalities.admin import CstStaffOnlyMixin

from . import services
from .models import Delivery, Notification


class CstStaffReadOnly(CstStaffOnlyMixin):
    """Notifications and deliveries change only through the services (a failed delivery is retried from there)."""

    read_only = True


class DeliveryInline(CstStaffReadOnly, admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(CstStaffReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "address", "kind", "text", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__email", "address", "event_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "actor")
    readonly_fields = (
        "recipient",
        "address",
        "reply_to",
        "actor",
        "kind",
        "event_key",
        "message",
        "params",
        "url",
        "created_at",
    )
    inlines = [DeliveryInline]

    @admin.display(description=_("testo"))
    def text(self, obj: Notification) -> str:
        return obj.text


@admin.register(Delivery)
class DeliveryAdmin(CstStaffReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "channel", "status", "attempts", "sent_at", "short_error")
    list_filter = ("status", "channel")
    search_fields = ("key", "notification__recipient__email", "notification__address")
    date_hierarchy = "created_at"
    list_select_related = ("notification__recipient",)
    readonly_fields = (
        "notification",
        "channel",
        "key",
        "status",
        "attempts",
        "due_at",
        "available_at",
        "published_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
        "updated_at",
    )
    actions = ["retry_failed"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not people.is_cst_admin(request.user):
            actions.pop("retry_failed", None)
        return actions

    @admin.display(description=_("destinatario"))
    def recipient(self, obj: Delivery) -> str:
        return obj.notification.recipient_email

    @admin.display(description=_("errore"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Riprova gli invii non riusciti selezionati"))
    def retry_failed(self, request, queryset) -> None:
        count = sum(services.retry_delivery(d, by=request.user) for d in queryset.filter(status=Delivery.Status.FAILED))
        self.message_user(request, _("Invii rimessi in coda: %(count)s") % {"count": count}, messages.SUCCESS)
