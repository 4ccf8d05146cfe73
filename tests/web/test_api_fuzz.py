"""A fuzz of the JSON API from its OpenAPI description (schemathesis): whatever the query
parameters, no answer is a server error. A few examples per route in `make test`; `make
fuzz` sets EVIDENCEDB_WEB_FUZZ_EXAMPLES higher."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from evidencedb.web.app import create_app
from tests.support.budgets import budget
from tests.support.databases import TestDatabase
from tests.support.web import web_settings

EXAMPLES = budget("EVIDENCEDB_WEB_FUZZ_EXAMPLES", 15)


def test_no_server_error(web_database: TestDatabase) -> None:
    app = create_app(web_settings(web_database.url, sql_time_limit=0.2))
    with TestClient(app):  # runs the lifespan: the app's engine is open while fuzzed
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 9
        for operation in operations:
            _fuzz(operation)


def _fuzz(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def answers_without_server_error(case: Any) -> None:
        response = case.call()
        assert response.status_code < 500, (case.path, case.query, response.text[:500])

    answers_without_server_error()
