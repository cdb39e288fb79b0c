"""Requesting, building and sending reports.

How a report reaches a worker without the web request ever touching the broker: `request_report` only writes a
`Report` row (status queued, due now) in the request's transaction; the row is an outbox row, which the relay of
cstportal.notifications publishes to Celery like the e-mail deliveries (settings.OUTBOXES). Requesting a report costs
one INSERT whatever the broker's state, and a report requested while Redis is down starts when it is back.

`run_report` is idempotent: it takes the row from queued to running with a compare-and-set, so a message delivered
twice builds the report once. While it builds, the row is due again only after the task's hard time limit: a worker
killed mid-build leaves it running, the relay publishes it again, and the next worker takes it over.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog import permissions
from catalog.models import Report, Solution
from catalog.reports import documents as reports
from cstportal.errors import Invalid, NotAllowed
from municipalities import permissions as people
from municipalities.models import Body, User

logger = logging.getLogger(__name__)

# A running row this old belongs to a dead worker (the task's hard limit is 300 s).
RUNNING_STALE_AFTER = dt.timedelta(minutes=10)


@transaction.atomic
def request_report(
    *, by: User, kind: str, format: str, body: Body | None = None, solution: Solution | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None, solution_kind: str = "",
) -> Report:
    """Record a report request (status queued), if `by` may see what the report contains.

    Writes one row and nothing else: the relay hands it to a worker. Raises Invalid (a kind without its body or
    solution, an unknown kind or format) or NotAllowed.
    """
    if kind == Report.Kind.PROVINCIAL:
        body = solution = None
        allowed = permissions.can_view_province_dashboard(by)
    elif kind == Report.Kind.BODY:
        if body is None:
            raise Invalid(errors={"body": _("Scegli l'ente del rapporto.")})
        solution, date_from, date_to, solution_kind = None, None, None, ""
        allowed = permissions.can_view_body_dashboard(by, body)
    elif kind == Report.Kind.SOLUTION:
        if solution is None:
            raise Invalid(errors={"solution": _("Scegli la soluzione del rapporto.")})
        body, date_from, date_to, solution_kind = None, None, None, ""
        allowed = permissions.can_request_solution_report(by, solution)
    else:
        raise Invalid(errors={"kind": _("Tipo di rapporto sconosciuto.")})
    if format not in Report.Format.values:
        raise Invalid(errors={"format": _("Formato sconosciuto.")})
    if not allowed:
        raise NotAllowed(_("Non puoi chiedere questo rapporto."))
    return Report.objects.create(
        kind=kind, format=format, body=body, solution=solution, date_from=date_from, date_to=date_to,
        solution_kind=solution_kind or "", requested_by=by,
    )


def _set_progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, progress__lt=value).update(
        progress=min(value, 100)
    )


def _claim(report_id: int) -> bool:
    """Take the report for this worker: a queued one, or a running one whose worker died."""
    now = timezone.now()
    claimable = Q(status=Report.Status.QUEUED) | Q(status=Report.Status.RUNNING, started_at__lte=now - RUNNING_STALE_AFTER)
    return bool(
        Report.objects.filter(claimable, pk=report_id).update(
            status=Report.Status.RUNNING, started_at=now, progress=5, error="", due_at=now + RUNNING_STALE_AFTER
        )
    )


def build_content(report: Report, *, progress: reports.Progress) -> reports.ReportContent:
    if report.kind == Report.Kind.BODY:
        assert report.body is not None  # a body report names its body (a database constraint)
        return reports.build_body_content(report.body, progress=progress)
    if report.kind == Report.Kind.SOLUTION:
        assert report.solution is not None
        return reports.build_solution_content(report.solution, progress=progress)
    title = None
    if report.monthly_for:
        title = _("Rapporto provinciale mensile") + f" — {report.monthly_for:%m/%Y}"
    return reports.build_province_content(
        date_from=report.date_from, date_to=report.date_to, kind=report.solution_kind or None, title=title,
        progress=progress,
    )


def run_report(*, report_id: int, compress_pdf: bool = True) -> Report | None:
    """Build a queued report and store its file and its HTML version (in MEDIA_ROOT/reports). Returns None when the
    report is not queued (already built, failed, or being built by a live worker): a second message for the same row is a no-op."""
    if not _claim(report_id):
        return None
    report = Report.objects.select_related("body", "solution__owner", "requested_by").get(pk=report_id)

    def progress(value: int) -> None:
        _set_progress(report_id, value)

    language = getattr(report.requested_by, "language", "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            content = build_content(report, progress=progress)
            progress(50)
            renderer = reports.RENDERERS[report.format]
            kwargs: dict[str, Any] = {"progress": progress}
            if report.format == Report.Format.PDF:
                kwargs["compress"] = compress_pdf
            data = renderer(content, **kwargs)
            html = reports.render_html(content)
        report.file.save(report.filename, ContentFile(data), save=False)
        report.html_file.save(report.html_filename, ContentFile(html), save=False)
    except Exception as exc:  # any failure is shown on the report page; the task does not retry a broken build
        logger.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000],
            due_at=None,
        )
        return Report.objects.get(pk=report_id)
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        status=Report.Status.DONE, progress=100, file=report.file.name, html_file=report.html_file.name,
        finished_at=timezone.now(), due_at=None,
    )
    return Report.objects.get(pk=report_id)


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def send_monthly_report(*, today: dt.date | None = None) -> Report:
    """Build the provincial report for the month just ended (PDF) and tell analysts and CST staff (beat, 1st of
    the month). Idempotent: one report per month (a unique constraint), one notice per person (the outbox's
    event key)."""
    from cstportal.notifications.services import record_notifications

    month = _previous_month(today or timezone.localdate())
    report, _created = Report.objects.get_or_create(
        monthly_for=month, format=Report.Format.PDF, defaults={"kind": Report.Kind.PROVINCIAL}
    )
    if report.status == Report.Status.QUEUED:
        run_report(report_id=report.pk)
        report.refresh_from_db()
    if report.status != Report.Status.DONE or report.emailed_at:
        return report
    recipients = User.objects.filter(people.SEES_EVERYTHING)
    with transaction.atomic():
        record_notifications(
            recipients=recipients,
            kind="report_monthly",
            event_key=f"report-monthly:{month:%Y-%m}",
            message=gettext_noop("Il rapporto provinciale mensile di %(month)s è pronto da scaricare."),
            params={"month": f"{month:%m/%Y}"},
            url=report.get_absolute_url(),
        )
        Report.objects.filter(pk=report.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    report.refresh_from_db()
    return report
