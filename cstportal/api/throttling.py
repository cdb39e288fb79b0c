"""Throttling of the API: anonymous clients by IP address, authenticated ones by user.

The client address is REMOTE_ADDR unless settings.PROXY_COUNT says how many trusted proxies stand in front (then
DRF's NUM_PROXIES picks the right X-Forwarded-For entry): a forged X-Forwarded-For cannot buy a fresh quota.
Rates are read at request time so that settings overrides (tests, deployments) take effect without a restart.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RuntimeRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(_RuntimeRates, throttling.AnonRateThrottle):
    scope = "anon"


class UserThrottle(_RuntimeRates, throttling.UserRateThrottle):
    scope = "user"
