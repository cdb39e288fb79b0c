from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: dt.datetime) -> DeliveryQuerySet:
        """Rows the relay should publish: new ones, retries whose back-off has passed, leases that ran out and
        `sending` rows whose worker died."""
        return self.filter(due_at__isnull=False, due_at__lte=now)

    def for_staff_list(self) -> DeliveryQuerySet:
        return self.select_related("notification__recipient")
