"""The webhooks of the REST API: a person's own webhooks (register, read, remove, enable again) and their delivery
log. Each answer is about the caller's webhooks only: another person's is a 404. The sending is
catalog.webhooks.delivery's; the rules are in docs (README, "Sincronizzazione e webhook")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog import permissions
from catalog.access import get_webhook_for
from catalog.models import Webhook, WebhookDelivery, WebhookEvent
from catalog.webhooks import services
from cstportal.api.fields import StrictCharField, text_field
from cstportal.api.pagination import CursorPage
from cstportal.api.responses import ERROR_409
from cstportal.api.views import LOCATION_HEADER, CursorOrderingMixin

URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\x00]+$"


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        read_only=True,
        help_text=_("Gli eventi ricevuti."),
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "is_active": {"help_text": _("Falso quando è stato disattivato dopo troppi tentativi falliti di fila.")},
            "consecutive_failures": {"help_text": _("Tentativi di consegna falliti di fila (zero dopo un successo).")},
        }


class WebhookCreateSerializer(serializers.Serializer):
    url = StrictCharField(
        max_length=services.URL_MAX_LENGTH,
        pattern=URL_PATTERN,
        pattern_message=_("Indica un indirizzo https://."),
        help_text=_(
            "Dove ricevere gli eventi: https; http e indirizzi privati o locali solo per i server ammessi dal "
            "portale (FETCH_ALLOWED_HOSTS)."
        ),
    )
    secret = StrictCharField(
        min_length=services.SECRET_MIN_LENGTH,
        max_length=services.SECRET_MAX_LENGTH,
        write_only=True,
        help_text=_("Il segreto condiviso della firma HMAC-SHA256 (almeno 16 caratteri). Non viene più mostrato."),
    )
    # One field, not a list of fields: an unknown event is an error of `events`, as the schema's errors name it.
    events = serializers.MultipleChoiceField(
        choices=WebhookEvent.choices, allow_empty=False, help_text=_("Gli eventi da ricevere.")
    )
    description = text_field(max_length=200, default="", help_text=_("Una nota per riconoscerlo."))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "delivery_id",
            "event",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "last_status_code",
            "last_response",
            "last_error",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "delivery_id": {"help_text": _("L'identificativo inviato in X-CST-Delivery e nel campo id.")},
            "last_response": {"help_text": _("L'inizio dell'ultima risposta del destinatario.")},
        }


@extend_schema_view(
    list=extend_schema(
        summary=_("I propri webhook"),
        description=_("I webhook registrati da chi chiama, dal più recente."),
    ),
    retrieve=extend_schema(summary=_("Un proprio webhook"), description=_("404 se non è di chi chiama.")),
    create=extend_schema(
        summary=_("Registrazione di un webhook"),
        description=_(
            "Registra un indirizzo che riceverà, con un POST firmato (X-CST-Signature: sha256=<HMAC-SHA256 del "
            "corpo con il segreto>, X-CST-Delivery: identificativo della consegna), gli eventi scelti che chi "
            "chiama può vedere. 400 se l'indirizzo non è ammesso (non https, rete privata o locale, nome che non "
            "si risolve), il segreto è troppo corto o un evento è sconosciuto; 403 per chi non è di un ente; 409 "
            "oltre il numero massimo di webhook per persona."
        ),
        request=WebhookCreateSerializer,
        parameters=[LOCATION_HEADER],
        responses={201: WebhookSerializer, 409: ERROR_409},
    ),
    destroy=extend_schema(
        summary=_("Rimozione di un webhook"),
        description=_("Toglie il webhook e il suo registro delle consegne. 404 se non è di chi chiama."),
        responses={204: OpenApiResponse(description=_("Rimosso."))},
    ),
)
class WebhookViewSet(CursorOrderingMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "delete", "head"]
    permission_classes = [IsAuthenticated]
    serializer_class = WebhookSerializer
    pagination_class = CursorPage
    lookup_value_regex = r"[0-9]+"
    cursor_ordering = (("-created_at", "-pk"), "datetime")

    def get_queryset(self) -> QuerySet[Webhook]:
        return permissions.webhooks_visible_to(self.request.user, Webhook.objects.all())

    def get_object(self) -> Webhook:
        return get_webhook_for(self.request.user, int(self.kwargs["pk"]))

    def create(self, request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.can_register_webhook(request.user):
            raise exceptions.PermissionDenied(
                _("Registrano webhook le persone di un ente, lo staff del CST e gli analisti.")
            )
        incoming = WebhookCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        webhook = services.register_webhook(owner=request.user, **incoming.validated_data)
        location = request.build_absolute_uri(reverse("api:webhook-detail", kwargs={"pk": webhook.pk}))
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def destroy(self, request, *args: Any, **kwargs: Any) -> Response:
        services.delete_webhook(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Riattivazione di un webhook"),
        description=_(
            "Riattiva un webhook disattivato dopo troppi tentativi falliti: il conteggio riparte da zero e le "
            "consegne trattenute nel frattempo partono. Su un webhook attivo non cambia nulla."
        ),
        request=None,
        responses={200: WebhookSerializer},
    )
    @action(detail=True, methods=["post"])
    def enable(self, request, *args: Any, **kwargs: Any) -> Response:
        webhook = services.enable_webhook(self.get_object(), by=request.user)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        summary=_("Registro delle consegne di un webhook"),
        description=_(
            "Le consegne, dalla più recente: stato (pending, sending, sent, failed, held se il webhook è "
            "disattivato, skipped se l'oggetto non è più visibile), tentativi, ultima risposta."
        ),
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True)
    def deliveries(self, request, *args: Any, **kwargs: Any) -> Response:
        webhook = self.get_object()
        page = self.paginate_queryset(WebhookDelivery.objects.filter(webhook=webhook))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
