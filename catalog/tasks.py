"""Celery tasks of the catalogue: each one calls the service it is named after."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from catalog.dashboards import stats
from catalog.harvest import services as harvest_services
from catalog.reports import services as report_services
from catalog.webhooks import delivery as webhook_delivery


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


@shared_task(name="catalog.run_harvest", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             time_limit=settings.HARVEST_TIMEOUT_SECONDS + 60, soft_time_limit=settings.HARVEST_TIMEOUT_SECONDS + 30)
def run_harvest(run_id: int) -> str:
    """Harvest one source, published by the outbox relay (idempotent: a second message for the run does nothing;
    a run whose worker died is taken over once its lease has passed)."""
    run = harvest_services.run_harvest(run_id=run_id)
    return run.outcome if run else "skipped"


@shared_task(name="catalog.queue_due_harvests", ignore_result=True, time_limit=120, soft_time_limit=100)
def queue_due_harvests() -> int:
    """Beat: a queued run for every source whose time has come; the relay hands the runs to the workers, which
    harvest them in parallel."""
    return len(harvest_services.queue_due_harvests())


@shared_task(
    name="catalog.send_webhook_delivery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # Below NOTIFICATION_SENDING_TIMEOUT_SECONDS, so a claim is never taken over while its worker may still send.
    time_limit=120,
    soft_time_limit=100,
)
def send_webhook_delivery(delivery_id: int) -> str:
    """Send one webhook delivery (by id); a second run of the same row does nothing."""
    return webhook_delivery.send_webhook_delivery(int(delivery_id))


@shared_task(name="catalog.prune_harvest_runs", ignore_result=True, time_limit=600)
def prune_harvest_runs() -> int:
    """Beat, daily: the harvest log keeps each source's last runs and those that changed something lately."""
    return harvest_services.prune_harvest_runs()


@shared_task(
    name="catalog.refresh_figures",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=600,
    soft_time_limit=540,
)
def refresh_figures(name: str, params: str) -> None:
    """Recompute one set of figures (queued by the first view that found them stale, once per name and parameters)
    and store them as the current and the last known copy. Idempotent: a second run computes them again."""
    stats.refresh(name, params)
