"""An API fuzz run (issue #11): schemathesis generates requests for every operation of the committed
OpenAPI document (docs/openapi.json, kept true by ``make openapi`` and its test) and sends them to the
real application over WSGI, authenticated with personal tokens of a county's performance section and an
agency's preparer. Every answer must be no server error (5xx) and conform to the documented response
schema and content type — for requests the document allows and for requests it does not (negative
generation: wrong types, missing fields, out-of-range numbers), whatever the path ids, query numbers
and bodies are.

Bounded: a few examples per operation and persona (``EXAMPLES``), no shrinking, no example database,
so the run takes seconds and the same on every machine; hypothesis still varies the data run to run."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from jixiao.org import services

pytestmark = pytest.mark.django_db
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXAMPLES = 4
#: requests the document allows, and requests it does not (wrong types, missing fields, huge numbers)
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@contextlib.contextmanager
def _inside_the_test_transaction():
    """The WSGI handler closes the database connection at each request's end; the test client does
    not (it disconnects the same signal), so the fuzzed requests see and roll back with the test's data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(world, persona: str) -> str:
    user = world.user(persona)
    _, secret = services.create_api_token(actor=user, name="fuzz")
    return secret


@pytest.mark.parametrize("persona", ["perf_section", "preparer"])
def test_every_operation_answers_without_server_errors_and_as_documented(world, persona):
    schema = schemathesis.openapi.from_path(DOCUMENT)
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {_token(world, persona)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # the document was read whole
    tried = []
    with _inside_the_test_transaction():
        for operation, mode in itertools.product(operations, MODES):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)
                tried.append(response.status_code)

            run()
    assert len(tried) >= 2 * len(operations)
    assert {200, 400, 404} <= set(tried), sorted(set(tried))  # real reads, refused payloads, unknown ids
