"""Webhooks: signed POSTs of the catalogue's events to addresses registered by API users (catalog.models.webhooks)."""
