"""`Authorization: Token <key>` for the REST API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services import find_usable_token, record_token_use


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Intestazione Authorization non valida: usa «Token <chiave>», senza spazi nella chiave.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Token non valido, revocato o scaduto."))
        token = find_usable_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Token non valido, revocato o scaduto."))
        record_token_use(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A WWW-Authenticate header makes DRF answer 401 (not 403) to requests without credentials.
        return f'{self.keyword} realm="api"'
