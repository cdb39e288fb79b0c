"""Reports: built by a task with progress, stored, downloaded by those allowed, formulas
neutralised, requested without talking to the broker, and the monthly report announced to analysts and CST."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import Report
from catalog.reports import documents as report_builders
from catalog.reports import services
from cstportal.notifications import relay
from tests.factories import AdoptionFactory, SolutionFactory

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def build(by, **kwargs) -> Report:
    report = services.request_report(by=by, **kwargs)
    built = services.run_report(report_id=report.pk, compress_pdf=False)
    assert built is not None and built.status == Report.Status.DONE, built and built.error
    return built


def read(report: Report) -> bytes:
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert path.is_file()
    assert path.parent.parent.parent.name == "reports"  # MEDIA_ROOT/reports/YYYY/MM/
    return path.read_bytes()


# --- the provincial report on the demo data, in all three formats -----------------------------------------------


def test_provincial_report_as_csv_opens_with_figures_and_tables(demo_data, analyst):
    report = build(analyst, kind="provincial", format="csv")
    rows = list(csv.reader(io.StringIO(read(report).decode("utf-8-sig"))))
    assert rows[0] == ["Rapporto provinciale sul riuso"]
    flat = [cell for row in rows for cell in row]
    for expected in ("Dati principali", "Soluzioni pubblicate", "Comuni raggiunti", "Soluzioni più riusate",
                     "Adozioni per stato", "Riuso per classe demografica", demo_data[0].name):
        assert expected in flat
    assert report.progress == 100


def test_provincial_report_as_xlsx_loads_with_openpyxl(demo_data, analyst):
    report = build(analyst, kind="provincial", format="xlsx")
    workbook = load_workbook(io.BytesIO(read(report)))
    assert workbook.sheetnames[0] == "Sintesi"
    summary = workbook["Sintesi"]
    assert summary["A1"].value == "Rapporto provinciale sul riuso"
    labels = [row[0].value for row in summary.iter_rows(min_row=5)]
    assert "Soluzioni pubblicate" in labels and "Risparmi dichiarati (€)" in labels
    most_reused = workbook["Soluzioni più riusate"]
    assert most_reused["A1"].value == "Soluzione"
    assert demo_data[0].name in [c.value for c in most_reused["A"]]
    assert isinstance(most_reused["D2"].value, int)  # numbers stay numbers


def test_provincial_report_as_pdf_has_title_page_figures_and_tables_in_italian(demo_data, analyst):
    report = build(analyst, kind="provincial", format="pdf")
    data = read(report)
    text = pdf_text(data)
    squeezed = "".join(text.split())  # table cells wrap long names over several lines
    for expected in ("Rapporto provinciale sul riuso", "Centro Servizi Territoriali della Provincia di Pesaro e Urbino",
                     "Dati principali", "Soluzioni pubblicate", "Soluzioni più riusate", "Comuni raggiunti",
                     "Riuso per classe demografica", "Risparmi dichiarati (€)", demo_data[0].name):
        assert "".join(expected.split()) in squeezed, expected
    assert data.count(b"/Type /Page\n") >= 2  # a title page, then the figures


def test_compressed_pdf_is_a_valid_smaller_file(demo_data, analyst):
    report = services.request_report(by=analyst, kind="provincial", format="pdf")
    services.run_report(report_id=report.pk)
    report.refresh_from_db()
    data = read(report)
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")


def test_body_and_solution_reports_are_built(demo_data, analyst, fano):
    body_report = build(analyst, kind="body", format="pdf", body=fano)
    assert "Rapporto dell'ente Fano" in pdf_text(read(body_report))
    solution_report = build(analyst, kind="solution", format="xlsx", solution=demo_data[0])
    workbook = load_workbook(io.BytesIO(read(solution_report)))
    assert workbook["Sintesi"]["A1"].value == f"Rapporto della soluzione {demo_data[0].name}"


# --- who may download ----------------------------------------------------------------------------------------


def test_referent_downloads_their_body_report_as_an_attachment(demo_data, analyst, referent_fano, fano):
    report = build(analyst, kind="body", format="csv", body=fano)
    response = client_for(referent_fano).get(reverse("catalog:report-download", kwargs={"pk": report.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert report.filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("Rapporto dell'ente Fano")


def test_referent_cannot_download_another_bodys_report(demo_data, analyst, referent_fano, urbino):
    report = build(analyst, kind="body", format="pdf", body=urbino)
    client = client_for(referent_fano)
    for name in ("report-download", "report-detail", "report-progress"):
        assert client.get(reverse(f"catalog:{name}", kwargs={"pk": report.pk})).status_code == 404


def test_referent_cannot_download_the_provincial_report(demo_data, analyst, referent_fano):
    report = build(analyst, kind="provincial", format="csv")
    assert client_for(referent_fano).get(reverse("catalog:report-download", kwargs={"pk": report.pk})).status_code == 404


def test_solution_report_is_for_the_owners_people(demo_data, analyst, publisher_pesaro, referent_fano):
    solution = SolutionFactory(name="Protocollo", owner=publisher_pesaro.memberships.get().body)
    report = build(analyst, kind="solution", format="csv", solution=solution)
    url = reverse("catalog:report-download", kwargs={"pk": report.pk})
    assert client_for(publisher_pesaro).get(url).status_code == 200
    assert client_for(referent_fano).get(url).status_code == 404


def test_anonymous_is_sent_to_login(demo_data, analyst):
    report = build(analyst, kind="provincial", format="csv")
    response = client_for().get(reverse("catalog:report-download", kwargs={"pk": report.pk}))
    assert response.status_code == 302


def test_list_shows_only_the_reports_a_person_may_see(demo_data, analyst, referent_fano, fano, urbino):
    mine = build(analyst, kind="body", format="csv", body=fano)
    other = build(analyst, kind="body", format="csv", body=urbino)
    provincial = build(analyst, kind="provincial", format="csv")
    html = client_for(referent_fano).get(reverse("catalog:report-list")).content.decode()
    assert mine.get_absolute_url() in html
    assert other.get_absolute_url() not in html
    assert provincial.get_absolute_url() not in html


def test_report_list_query_count_does_not_grow_with_reports(analyst, fano, django_assert_num_queries):
    client = client_for(analyst)
    client.get(reverse("catalog:report-list"))
    for _ in range(30):
        Report.objects.create(kind="body", body=fano, format="csv", status="done", progress=100)
    # session, user, count, one page of reports (joined), the form's bodies and solutions, the layout's roles
    # and unread notifications.
    with django_assert_num_queries(8):
        client.get(reverse("catalog:report-list"))
    with django_assert_num_queries(8):
        client.get(reverse("catalog:report-list"), {"page": 2})


def test_report_not_ready_cannot_be_downloaded(analyst, fano):
    report = services.request_report(by=analyst, kind="body", format="csv", body=fano)
    assert client_for(analyst).get(reverse("catalog:report-download", kwargs={"pk": report.pk})).status_code == 404


# --- formula neutralisation ----------------------------------------------------------------------------------

DANGEROUS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)"]


def test_neutralise_prefixes_only_text_that_a_spreadsheet_would_run():
    assert [report_builders.neutralise(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert report_builders.neutralise("Pesaro") == "Pesaro"
    assert report_builders.neutralise(-5) == -5


@pytest.fixture
def dangerous_names(pesaro, fano):
    for i, name in enumerate(DANGEROUS):
        solution = SolutionFactory(name=name, owner=pesaro, slug=f"pericolosa-{i}")
        AdoptionFactory(solution=solution, body=fano, status="in_production", in_production_at=timezone.now())


def test_csv_report_neutralises_formula_text(dangerous_names, analyst, fano):
    report = build(analyst, kind="body", format="csv", body=fano)
    cells = {cell for row in csv.reader(io.StringIO(read(report).decode("utf-8-sig"))) for cell in row}
    for name in DANGEROUS:
        assert "'" + name in cells
        assert name not in cells


def test_xlsx_report_neutralises_formula_text(dangerous_names, analyst, fano):
    report = build(analyst, kind="body", format="xlsx", body=fano)
    workbook = load_workbook(io.BytesIO(read(report)))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    values = {c.value for c in cells}
    for name in DANGEROUS:
        assert "'" + name in values
    assert all(c.data_type == "s" for c in cells)  # no formula cells at all


# --- requesting without the broker; the task's idempotence ---------------------------------------------------


def test_request_page_writes_a_queued_report_and_never_calls_the_broker(
    analyst, fano, django_capture_on_commit_callbacks
):
    with mock.patch("catalog.tasks.run_report.apply_async", side_effect=AssertionError("broker")) as publish, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(analyst).post(
            reverse("catalog:report-request"), {"kind": "body", "body": fano.pk, "format": "xlsx"}
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert (report.kind, report.body, report.format, report.status) == ("body", fano, "xlsx", "queued")
    assert report.requested_by == analyst
    publish.assert_not_called()
    assert not [c for c in callbacks if "stats" not in getattr(c, "__module__", "")]


def test_referent_cannot_request_another_bodys_or_the_provincial_report(referent_fano, urbino, fano):
    client = client_for(referent_fano)
    other = client.post(reverse("catalog:report-request"), {"kind": "body", "body": urbino.pk, "format": "pdf"})
    provincial = client.post(reverse("catalog:report-request"), {"kind": "provincial", "format": "pdf"})
    assert other.status_code == 400 and provincial.status_code == 400
    assert not Report.objects.exists()
    ok = client.post(reverse("catalog:report-request"), {"kind": "body", "body": fano.pk, "format": "pdf"})
    assert ok.status_code == 302


def test_outsider_cannot_request_any_report(outsider, fano):
    response = client_for(outsider).post(reverse("catalog:report-request"), {"kind": "body", "body": fano.pk,
                                                                             "format": "pdf"})
    assert response.status_code == 400
    assert not Report.objects.exists()


def _relay_pass() -> list[tuple[str, int]]:
    published: list[tuple[str, int]] = []
    relay.relay_outbox(publish=lambda task, pk: published.append((task, pk)))
    return published


def test_the_outbox_relay_publishes_each_queued_report_once(analyst, fano):
    first = services.request_report(by=analyst, kind="body", format="csv", body=fano)
    second = services.request_report(by=analyst, kind="provincial", format="pdf")
    assert _relay_pass() == [("catalog.run_report", first.pk), ("catalog.run_report", second.pk)]
    assert _relay_pass() == []


def test_reports_stay_queued_while_the_broker_is_down(analyst, fano):
    report = services.request_report(by=analyst, kind="body", format="csv", body=fano)

    def broker_down(task, pk):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    assert relay.relay_outbox(publish=broker_down).count == 0
    report.refresh_from_db()
    assert report.status == "queued" and report.due_at <= timezone.now()
    assert _relay_pass() == [("catalog.run_report", report.pk)]


def test_a_report_whose_worker_died_is_published_again_and_taken_over(analyst, fano):
    from catalog.tasks import run_report

    report = services.request_report(by=analyst, kind="body", format="csv", body=fano)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert services._claim(report.pk)  # a worker takes it, then dies mid-build
        Report.objects.filter(pk=report.pk).update(progress=40)
        assert _relay_pass() == []
        assert run_report.apply(args=[report.pk]).get() == "skipped"  # a live worker's report is left alone
        clock.move_to(start + services.RUNNING_STALE_AFTER + dt.timedelta(seconds=1))
        assert _relay_pass() == [("catalog.run_report", report.pk)]
        assert run_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    assert report.status == "done" and report.due_at is None


def test_second_delivery_of_the_task_builds_nothing(analyst, fano):
    from catalog.tasks import run_report

    report = services.request_report(by=analyst, kind="body", format="csv", body=fano)
    assert run_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    first_file = report.file.name
    assert run_report.apply(args=[report.pk]).get() == "skipped"
    report.refresh_from_db()
    assert report.file.name == first_file


def test_a_failing_build_is_marked_failed_with_its_error(analyst, fano):
    report = services.request_report(by=analyst, kind="body", format="csv", body=fano)
    with mock.patch.object(report_builders, "render_csv", side_effect=RuntimeError("disco pieno")), \
            mock.patch.dict(report_builders.RENDERERS, {"csv": report_builders.render_csv}):
        services.run_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and "disco pieno" in report.error
    html = client_for(analyst).get(report.get_absolute_url()).content.decode()
    assert "Non è stato possibile preparare il rapporto" in html


def test_progress_is_recorded_while_the_report_is_built(analyst, fano):
    seen: list[int] = []
    original = services._set_progress

    def spy(report_id: int, value: int) -> None:
        original(report_id, value)
        seen.append(Report.objects.get(pk=report_id).progress)

    report = services.request_report(by=analyst, kind="provincial", format="xlsx")
    with mock.patch.object(services, "_set_progress", spy):
        services.run_report(report_id=report.pk)
    assert seen == sorted(seen) and 0 < seen[0] < 100 and len(set(seen)) >= 4


# --- the monthly report --------------------------------------------------------------------------------------


def test_monthly_report_is_built_once_and_announced_to_analysts_and_cst(
    demo_data, analyst, cst_admin, referent_fano
):
    from cstportal.notifications.models import Notification

    report = services.send_monthly_report(today=dt.date(2026, 3, 1))
    assert report.status == "done" and report.monthly_for == dt.date(2026, 2, 1) and report.format == "pdf"
    assert report.emailed_at is not None
    told = set(Notification.objects.filter(kind="report_monthly").values_list("recipient__email", flat=True))
    assert {analyst.email, cst_admin.email} <= told
    assert referent_fano.email not in told
    assert Notification.objects.filter(kind="report_monthly").first().url == report.get_absolute_url()

    again = services.send_monthly_report(today=dt.date(2026, 3, 1))
    assert again.pk == report.pk
    assert Notification.objects.filter(kind="report_monthly").count() == len(told)


def test_monthly_report_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["catalog-monthly-provincial-report"]
    assert entry["task"] == "catalog.send_monthly_report"
    assert entry["schedule"].day_of_month == {1}
    assert settings.OUTBOXES["catalog.Report"] == "catalog.run_report"  # queued reports ride the outbox relay


def test_the_report_service_itself_refuses_what_the_person_may_not_see(referent_fano, pesaro, urbino):
    from cstportal.errors import NotAllowed

    for scope in ({"kind": "provincial"}, {"kind": "body", "body": urbino},
                  {"kind": "solution", "solution": SolutionFactory(owner=pesaro, status="published")}):
        with pytest.raises(NotAllowed):
            services.request_report(by=referent_fano, format="csv", **scope)
    assert not Report.objects.exists()
