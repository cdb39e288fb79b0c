"""The in-app notifications in the REST API: one's own list, marking read (mounted under /api/v1/)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cstportal.api.pagination import CursorPage
from cstportal.api.parsers import BoundedJSONParser
from cstportal.api.views import CursorOrderingMixin
from cstportal.notifications import services
from cstportal.notifications.models import Notification


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True, help_text=_("Il messaggio nella lingua della richiesta."))
    note = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text=_("Pagina del portale a cui si riferisce."))
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, notification) -> str:
        return str(notification.actor) if notification.actor_id else ""


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True, help_text=_("Quante notifiche sono state segnate come lette."))


@extend_schema_view(
    list=extend_schema(summary=_("Le mie notifiche"), description=_("Dalla più recente.")),
)
class NotificationViewSet(CursorOrderingMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = CursorPage
    lookup_value_regex = r"[0-9]+"
    cursor_ordering = (("-created_at", "-pk"), "datetime")
    parser_classes = [BoundedJSONParser, FormParser]

    def get_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.for_user(self.request.user).select_related("actor")

    @extend_schema(summary=_("Segna una notifica come letta"), request=None,
                   responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, *args: Any, pk: str, **kwargs: Any) -> Response:
        notification = self.get_queryset().filter(pk=int(pk)).first()
        if notification is None:  # another person's notification: 404
            raise Http404
        services.mark_notification_read(notification, by=request.user)
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(summary=_("Segna tutte le notifiche come lette"), request=None,
                   responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"])
    def read_all(self, request, *args: Any, **kwargs: Any) -> Response:
        marked = services.mark_all_notifications_read(user=request.user)
        return Response({"marked": marked})


notifications = NotificationViewSet
urlpatterns = [
    path("notifications/", notifications.as_view({"get": "list"}), name="notification-list"),
    path("notifications/read-all/", notifications.as_view({"post": "read_all"}), name="notification-read-all"),
    path("notifications/<int:pk>/read/", notifications.as_view({"post": "read"}), name="notification-read"),
]
