"""Provincial figures, the caller's notifications, and publiccode.yml import through the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Solution
from cstportal.notifications.models import Notification
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/publiccode/import/"

VALID = """\
publiccodeYmlVersion: "0.7"
name: Fascicolo Catastale del Contribuente
url: "https://code.cstpu.example/pesaro/fascicolo-catastale.git"
softwareVersion: "3.0.0"
releaseDate: "2025-02-14"
platforms:
  - web
categories:
  - real-estate-management
developmentStatus: stable
softwareType: "standalone/backend"
organisation:
  name: Comune di Pesaro
  uri: "urn:x-italian-pa:c_g479"
description:
  it:
    shortDescription: Anagrafe dei soggetti, degli oggetti catastali e delle loro relazioni.
    longDescription: |
      Il Fascicolo Catastale gestisce in modo integrato l'anagrafe dei soggetti, degli oggetti immobiliari
      e delle relazioni di titolarità, allineandosi con le banche dati dell'Agenzia delle Entrate. Nato dal
      progetto nazionale ELICAT per il decentramento catastale, è riusato dai comuni del CST.
    features:
      - Anagrafe dei soggetti e degli oggetti catastali
legal:
  license: EUPL-1.2
maintenance:
  type: internal
  contacts:
    - name: Luca Bianchi
localisation:
  localisationReady: true
  availableLanguages:
    - it
"""


def upload(text: str, name: str = "publiccode.yml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/x-yaml")


# --- statistics -----------------------------------------------------------------------------------------------


def test_province_stats_for_analysts(catalogue, analyst):
    response = client_for(analyst).get("/api/v1/stats/province/")
    assert response.status_code == 200
    body = response.json()
    assert body["solutions_published"] == 3
    assert body["adoptions_total"] == 2
    assert body["bodies_reached"]["reached"] == 1
    assert {row["status"]: row["count"] for row in body["adoptions_by_status"]}["in_production"] == 1


def test_province_stats_filters(catalogue, cst_admin):
    body = client_for(cst_admin).get("/api/v1/stats/province/", {"kind": "service"}).json()
    assert body["solutions_published"] == 1 and body["filters"]["kind"] == "service"
    bad = client_for(cst_admin).get("/api/v1/stats/province/", {"date_from": "ieri", "kind": "razzo"})
    assert bad.status_code == 400
    assert {e["attr"] for e in bad.json()["errors"]} == {"date_from", "kind"}


def test_province_stats_refused_to_a_body_referent(catalogue, referent_fano, api):
    assert client_for(referent_fano).get("/api/v1/stats/province/").status_code == 403
    assert api.get("/api/v1/stats/province/").status_code == 401


# --- notifications --------------------------------------------------------------------------------------------


@pytest.fixture
def notices(referent_fano, referent_urbino):
    mine = [
        Notification.objects.create(recipient=referent_fano, kind="adoption", event_key=f"e:{n}",
                                    message="Richiesta %(n)s", params={"n": n})
        for n in range(3)
    ]
    other = Notification.objects.create(recipient=referent_urbino, kind="adoption", event_key="e:x", message="Altro")
    return mine, other


def test_notifications_are_the_callers_newest_first(notices, referent_fano):
    mine, _other = notices
    results = client_for(referent_fano).get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in results] == [n.pk for n in reversed(mine)]
    assert results[0]["text"] == "Richiesta 2" and results[0]["is_read"] is False


def test_mark_one_and_all_read(notices, referent_fano):
    mine, other = notices
    client = client_for(referent_fano)
    one = client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert one.status_code == 200 and one.json()["is_read"] is True
    everything = client.post("/api/v1/notifications/read-all/")
    assert everything.json() == {"marked": 2}
    other.refresh_from_db()
    assert other.read_at is None


def test_another_persons_notification_is_404(notices, referent_fano):
    _mine, other = notices
    assert client_for(referent_fano).post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404


# --- publiccode.yml import ------------------------------------------------------------------------------------


def test_publisher_imports_a_publiccode_file(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["dry_run"] is False
    assert body["solution"]["status"] == "in_review"
    assert body["solution"]["owner"]["ipa_code"] == "c_g479"
    assert body["solution"]["current_release"] == {"version": "3.0.0", "date": "2025-02-14"}


def test_import_again_updates_the_same_solution(publisher_pesaro):
    client = client_for(publisher_pesaro)
    assert client.post(IMPORT, {"file": upload(VALID)}, format="multipart").status_code == 201
    again = client.post(IMPORT, {"file": upload(VALID.replace("3.0.0", "3.1.0"))}, format="multipart")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Solution.objects.count() == 1


def test_dry_run_saves_nothing(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID), "dry_run": "true"},
                                                 format="multipart")
    assert response.status_code == 200
    assert response.json() == {"created": True, "dry_run": True, "solution": None}
    assert not Solution.objects.exists()


def test_invalid_file_is_a_422_with_field_paths(publisher_pesaro):
    broken = VALID.replace("developmentStatus: stable", "developmentStatus: finita").replace(
        "license: EUPL-1.2", "license: Licenza-Comunale-1.0")
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(broken)}, format="multipart")
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "validation_error"
    attrs = {e["attr"] for e in body["errors"]}
    assert {"developmentStatus", "legal.license"} <= attrs
    assert all(e["detail"] for e in body["errors"])


def test_unreadable_yaml_is_a_422_on_the_file(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload('name: "non chiusa\nurl: [')},
                                                 format="multipart")
    assert response.status_code == 422
    assert response.json()["errors"][0]["attr"]


def test_an_upload_without_a_file_is_a_422_on_the_file(publisher_pesaro):
    # An empty file may travel as no part at all: both are a publiccode.yml that says nothing.
    response = client_for(publisher_pesaro).post(IMPORT, {}, format="multipart")
    assert response.status_code == 422
    assert response.json()["errors"][0]["attr"] == "file"


@pytest.mark.parametrize(("data", "attr"), [
    ({"file": "testo"}, "file"),
    ({"file": "ok", "owner": "c g479"}, "owner"),
])
def test_malformed_upload_is_a_400(publisher_pesaro, data, attr):
    if data.get("file") == "ok":
        data["file"] = upload(VALID)
    response = client_for(publisher_pesaro).post(IMPORT, data, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.parametrize("name", ["publiccode.txt", "file"])
def test_a_file_without_a_yaml_extension_is_a_422_on_the_file(publisher_pesaro, name):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID, name=name)}, format="multipart")
    assert response.status_code == 422
    assert response.json()["errors"][0]["attr"] == "file"
    assert not Solution.objects.exists()


def test_a_new_solution_is_a_201_with_its_location(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 201, response.content
    slug = response.json()["solution"]["slug"]
    assert response["Location"] == f"http://testserver/api/v1/solutions/{slug}/"


def test_import_for_an_unknown_body_is_404(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID), "owner": "999999"},
                                                 format="multipart")
    assert response.status_code == 404
    assert not Solution.objects.exists()


def test_import_for_a_body_one_does_not_publish_for_is_refused(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID), "owner": "041067"},
                                                 format="multipart")
    assert response.status_code == 403
    assert not Solution.objects.exists()


def test_people_who_publish_nothing_get_403(referent_fano):
    response = client_for(referent_fano).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 403


def test_status_in_an_import_changes_nothing(publisher_pesaro):
    response = client_for(publisher_pesaro).post(IMPORT, {"file": upload(VALID), "status": "published",
                                                          "owner_body": "041067"}, format="multipart")
    assert response.status_code == 201
    assert Solution.objects.get().status == "in_review"
