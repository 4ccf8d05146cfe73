"""The JSON API answers exactly what the query commands print with --format json, takes
their options as query parameters, pages with a Link header, and is described by OpenAPI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import typer

from evidencedb.cli.app import app
from evidencedb.web.app import create_app
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.web import routes_of, web_client, web_settings
from tests.web.conftest import REGISTRY_RECORD

TRIAL = "blinatumomab-infant-kmt2a-all"


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("/api/results", {"trial": TRIAL, "endpoint_kind": "overall_survival"}),
        ("/api/results", {"intervention": "CD19", "timepoint": "2", "timepoint_unit": "years"}),
        ("/api/results", {"arm_role": "historical_control", "endpoint_role": "secondary"}),
        ("/api/results", {"condition": "atopic", "text": "dupilumab"}),
        ("/api/comparisons", {"trial": TRIAL, "origin": "derived", "measure": "risk_difference"}),
        ("/api/comparisons", {"trial": REGISTRY_RECORD, "source": f"ctgov-{REGISTRY_RECORD}"}),
        ("/api/adverse-events", {"trial": REGISTRY_RECORD, "serious": "false", "min_grade": "1"}),
        ("/api/adverse-events", {"serious": "true", "term": "infection"}),
        ("/api/trials", {"design": "randomized", "registry_id": REGISTRY_RECORD}),
        ("/api/trials", {}),
    ],
)
def test_api_answers_what_the_command_prints(
    web_database: TestDatabase, route: str, params: dict[str, str]
) -> None:
    options: list[str] = []
    for name, value in params.items():
        if name == "serious":
            options.append("--serious" if value == "true" else "--non-serious")
        else:
            options += ["--" + name.replace("_", "-"), value]
    command = route.removeprefix("/api/")
    printed = run_cli(command, *options, "--format", "json", db=web_database)
    assert printed.exit_code == 0, printed.stderr
    with web_client(web_database.url) as client:
        answer = client.get(route, params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == json.loads(printed.stdout)


def test_api_of_the_issue(web_database: TestDatabase) -> None:
    """`/api/results?trial=KEY&endpoint_kind=overall_survival` as issue 19 writes it."""
    printed = run_cli(
        "results",
        "--trial",
        TRIAL,
        "--endpoint-kind",
        "overall_survival",
        "--format",
        "json",
        db=web_database,
    )
    with web_client(web_database.url) as client:
        answer = client.get(f"/api/results?trial={TRIAL}&endpoint_kind=overall_survival")
    rows = answer.json()
    assert rows == json.loads(printed.stdout)
    assert rows
    assert {row["endpoint_kind"] for row in rows} == {"overall_survival"}


def test_api_trial_is_the_object_that_trial_prints(web_database: TestDatabase) -> None:
    printed = run_cli("trial", TRIAL, "--format", "json", db=web_database)
    with web_client(web_database.url) as client:
        answer = client.get(f"/api/trials/{TRIAL}")
        missing = client.get("/api/trials/nope")
    assert [answer.json()] == json.loads(printed.stdout)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no trial with key 'nope'; `evidencedb trials` lists them"}


def test_api_pages_follow_the_link_header(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        everything = client.get("/api/results").json()
        pages, url = [], "/api/results?limit=7"
        while url:
            answer = client.get(url)
            pages.append(answer.json())
            link = answer.headers.get("link")
            url = link.split(">")[0].lstrip("<") if link else ""
    assert len(everything) > 14
    assert all(len(page) == 7 for page in pages[:-1])
    assert 0 < len(pages[-1]) <= 7
    assert [row for page in pages for row in page] == everything


def test_api_refuses_unknown_values_with_422(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        kind = client.get("/api/results", params={"endpoint_kind": "survival-ish"})
        grade = client.get("/api/adverse-events", params={"min_grade": "6"})
        limit = client.get("/api/results", params={"limit": "0"})
        nul = client.get("/api/results", params={"trial": "a\x00b"})
        blank = client.get("/api/results", params={"trial": "", "endpoint_kind": ""})
        everything = client.get("/api/results")
    assert kind.status_code == 422
    assert kind.json()["detail"][0]["loc"] == ["query", "endpoint_kind"]
    assert grade.status_code == 422
    assert limit.status_code == 422
    assert nul.status_code == 400
    assert blank.json() == everything.json()  # an empty parameter is no filter


def test_api_sql_answers_rows_and_refuses_writes(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        rows = client.get("/api/sql", params={"q": "SELECT key FROM trials ORDER BY key"})
        write = client.get("/api/sql", params={"q": "UPDATE trials SET title = 'x'"})
    assert rows.json() == [{"key": k} for k in (REGISTRY_RECORD, TRIAL, "interfant-06")]
    assert write.status_code == 400
    assert write.json()["detail"].startswith("SQL refused")


def test_openapi_describes_the_api_with_the_cli_option_names(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        described = client.get("/openapi.json").json()
    paths = described["paths"]
    assert set(paths) == {
        "/api/trials",
        "/api/trials/{key}",
        "/api/results",
        "/api/comparisons",
        "/api/adverse-events",
        "/api/sql",
        "/api/meta-analyses",
        "/api/meta-analyses/{key}",
        "/api/trials/{key}/reconciliation",
    }
    names = {parameter["name"] for parameter in paths["/api/results"]["get"]["parameters"]}
    assert {"trial", "endpoint_kind", "arm_role", "timepoint_unit", "limit", "after"} <= names


@pytest.mark.parametrize("command", ["trials", "results", "comparisons", "adverse-events"])
def test_api_takes_the_options_of_its_command(web_database: TestDatabase, command: str) -> None:
    """Every filter of the command is a query parameter of its route, under the option's name,
    and described with the option's help."""
    cli = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    not_filters = ("columns", "fmt", "command_database_url")
    options = {param.name: param.help for param in cli.params if param.name not in not_filters}
    with web_client(web_database.url) as client:
        described = client.get("/openapi.json").json()
    parameters = {
        parameter["name"]: parameter.get("description")
        for parameter in described["paths"][f"/api/{command}"]["get"]["parameters"]
        if parameter["name"] not in ("limit", "after")
    }
    assert set(parameters) == set(options)
    for name, help_text in options.items():
        if help_text and name != "serious":  # --serious/--non-serious is one boolean here
            assert parameters[name] == help_text, name


def test_no_route_writes(web_database: TestDatabase, tmp_path: Path) -> None:
    """Every route answers GET only, and reading all of them leaves the database as it was."""
    app = create_app(web_settings(web_database.url))
    routes = routes_of(app)
    assert len(routes) > 15
    assert set().union(*routes.values()) == {"GET", "HEAD"}
    before = _fingerprint(web_database)
    with web_client(web_database.url) as client:
        for path in (
            "/",
            "/trials",
            f"/trials/{TRIAL}",
            "/results",
            "/comparisons",
            "/adverse-events",
            "/results.csv",
            "/api/results",
            "/search?q=x",
            "/sql?q=SELECT+1",
            "/openapi.json",
        ):
            assert client.get(path).status_code == 200, path
        refused = client.post("/api/results")
    assert refused.status_code == 405
    assert _fingerprint(web_database) == before


def _fingerprint(database: TestDatabase) -> str:
    if database.backend == "sqlite":
        path = Path(database.url.removeprefix("sqlite:///"))
        return hashlib.sha256(path.read_bytes()).hexdigest()
    counts = run_cli(
        "sql",
        "SELECT (SELECT count(*) FROM results), (SELECT max(xmin::text) FROM results)",
        "--format",
        "csv",
        db=database,
    )
    return counts.stdout
