"""Personal API tokens. Only a SHA-256 digest of the key is stored; the key itself is shown once.

Why not django-rest-knox: knox deletes a token to revoke it and keeps no name, last use or revocation time, while
the profile page shows all three and keeps revoked tokens for the record. The key is 256 random bits, so a plain
SHA-256 digest is enough (a slow password hash protects low-entropy secrets, not random keys).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def of_user(self, user) -> ApiTokenQuerySet:
        return self.filter(user=user)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("persona")
    )
    name = models.CharField(_("nome"), max_length=100)
    # The first characters of the key, for lookup and for recognising the token on the profile page.
    prefix = models.CharField(_("prefisso"), max_length=16, unique=True)
    key_digest = models.CharField(_("impronta SHA-256 della chiave"), max_length=64)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("ultimo uso"), null=True, blank=True)
    expires_at = models.DateTimeField(_("scade il"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revocato il"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token delle API")
        verbose_name_plural = _("token delle API")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(key_digest__regex=r"^[0-9a-f]{64}$"), name="apitoken_digest_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.is_revoked:
            return str(_("Revocato"))
        if self.is_expired:
            return str(_("Scaduto"))
        return str(_("Attivo"))
