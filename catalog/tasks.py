"""Celery tasks of the catalogue: each one calls the service it is named after."""

from __future__ import annotations

from celery import shared_task

from catalog.reports import services as report_services


@shared_task(name="catalog.run_report", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_report(report_id: int) -> str:
    """Build one report, published by the outbox relay (idempotent: a second message for the row does nothing)."""
    report = report_services.run_report(report_id=report_id)
    return report.status if report else "skipped"


@shared_task(name="catalog.send_monthly_report", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_monthly_report() -> int:
    """Beat, on the 1st of each month: the provincial report of the month just ended, announced to analysts and
    CST staff through the notifications outbox (in-app and e-mail, with the download link)."""
    return report_services.send_monthly_report().pk
