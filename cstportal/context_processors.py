from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {
        "PORTAL_NAME": "Catalogo del riuso — CST Pesaro e Urbino",
        "SITE_URL": settings.SITE_URL,
    }
