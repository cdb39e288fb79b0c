"""The OpenAPI contract holds under fuzzing: schemathesis, with every check, against the live schema, once with
a publisher's token and once with a referent's. No 5xx, no response outside the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api.conftest import token_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Answers that depend on stored state or on the content of an uploaded file, which no schema can express. Each is
# listed with its reason; positive_data_acceptance accepts them for that operation only, every other check stays.
# - 409 anywhere (schemathesis accepts it by default): the adoption's current status does not allow the action,
#   someone else moved it first, or the body already has an active adoption of the solution.
# - 422 on the publiccode.yml import: the uploaded file is not a valid publiccode.yml, is empty or absent (an
#   empty file may travel as no part at all), or its name does not end in .yml or .yaml (a file's name has no
#   place in an OpenAPI schema; schemathesis names the part after its field).
# - 400 on a webhook's registration: the address must reach a public server (or one of FETCH_ALLOWED_HOSTS), which
#   depends on what its name resolves to when it is registered; no schema can say that of a URL.
STATE_DEPENDENT = [
    {"include-path-regex": r"/publiccode/import/$", "statuses": ["422"]},
    {"include-path-regex": r"/webhooks/$", "include-method": "POST", "statuses": ["400"]},
]
DEFAULT_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def _config() -> schemathesis.config.SchemathesisConfig:
    operations = []
    for rule in STATE_DEPENDENT:
        entry = {k: v for k, v in rule.items() if k != "statuses"}
        entry["checks"] = {"positive_data_acceptance": {"expected-statuses": DEFAULT_ACCEPTED + rule["statuses"]}}
        operations.append(entry)
    return schemathesis.config.SchemathesisConfig.from_dict({
        "generation": {"max-examples": 25},
        "operations": operations,
    })


# The live schema, read through Django's WSGI application when the module is collected (the schema view reads
# no database). schemathesis' lazy fixture loader does not run on this pytest version, hence the module level.
APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", APP, config=_config())


@pytest.fixture(autouse=True)
def _shared_transaction_and_no_throttles(settings):
    """Requests through the WSGI app share the test's database transaction, as with Django's test client; and
    fuzzing sends thousands of requests from one address, so the throttles (tested elsewhere) are lifted."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def publisher_header(catalogue, publisher_pesaro) -> dict[str, str]:
    return {"Authorization": f"Token {token_for(publisher_pesaro)}"}


@pytest.fixture
def referent_header(catalogue, referent_fano) -> dict[str, str]:
    return {"Authorization": f"Token {token_for(referent_fano)}"}


FUZZ_SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_its_schema_with_a_publishers_token(case, publisher_header):
    case.call_and_validate(headers=publisher_header)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_its_schema_with_a_referents_token(case, referent_header):
    case.call_and_validate(headers=referent_header)
