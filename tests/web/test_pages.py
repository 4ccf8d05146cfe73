"""Every page of the web view over a real database (SQLite and PostgreSQL): what it shows,
its links to provenance, its filters and pages, its errors, and HTML escaping."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from evidencedb.web.app import create_app
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.web import routes_of, web_client, web_settings
from tests.web.conftest import ANALYSIS, RECONCILED, REGISTRY_RECORD

TRIAL = "blinatumomab-infant-kmt2a-all"
DFS_QUOTE = "Two-year disease-free survival"


def test_home_shows_counts_and_one_search_box(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert re.search(r'<a href="/trials">trials</a></th><td class="num">3</td>', page.text)
    assert page.text.count('role="search"') == 1
    assert 'name="q"' in page.text


def test_search_finds_trials_interventions_conditions_and_endpoints(
    web_database: TestDatabase,
) -> None:
    with web_client(web_database.url) as client:
        by_intervention = client.get("/search", params={"q": "CD19"})
        by_condition = client.get("/search", params={"q": "atopic"})
        by_endpoint = client.get("/search", params={"q": "overall survival"})
        nothing = client.get("/search", params={"q": "no such thing anywhere"})
    assert f'href="/trials/{TRIAL}"' in by_intervention.text
    assert "intervention that matches" in by_intervention.text
    assert f'href="/trials/{REGISTRY_RECORD}"' in by_condition.text
    assert "Endpoints whose name contains" in by_endpoint.text
    assert "Two-year overall survival" in by_endpoint.text
    assert "Nothing matches" in nothing.text


def test_trials_filters_page_and_link_to_each_trial(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        everything = client.get("/trials")
        single_arm = client.get("/trials", params={"design": "single_arm", "phase": ""})
        first = client.get("/trials", params={"limit": 2})
        second = client.get("/trials", params={"limit": 2, "after": TRIAL})
        back = client.get("/trials", params={"limit": 2, "before": "interfant-06"})
        too_many = client.get("/trials", params={"limit": 201})
    assert everything.text.count('<th scope="row"><a href="/trials/') == 3
    assert single_arm.text.count('<th scope="row"><a href="/trials/') == 1
    assert f'href="/trials/{TRIAL}"' in single_arm.text
    assert 'rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    assert f"after={TRIAL}" in first.text  # the last row's key: NCT02210780, then TRIAL
    assert 'rel="prev"' in second.text
    assert "before=interfant-06" in second.text
    assert 'rel="next"' not in second.text
    assert second.text.count('<th scope="row"><a href="/trials/') == 1
    assert back.text.count('<th scope="row"><a href="/trials/') == 2
    assert 'rel="prev"' not in back.text
    assert f"after={TRIAL}" in back.text
    assert too_many.status_code == 422
    assert "limit" in too_many.text


def test_trial_page_shows_design_sources_arms_endpoints_and_facts(
    web_database: TestDatabase,
) -> None:
    with web_client(web_database.url) as client:
        page = client.get(f"/trials/{TRIAL}")
        registry = client.get(f"/trials/{REGISTRY_RECORD}")
    assert page.status_code == 200
    for heading in ("Design", "Sources", "Arms", "Endpoints", "Results", "Comparisons"):
        assert f"<h2>{heading}</h2>" in page.text
    assert 'href="https://doi.org/10.1056/NEJMoa2214171"' in page.text
    assert 'href="/trials/interfant-06"' in page.text  # the historical control's trial
    assert "Blinatumomab + Interfant-06 chemotherapy" in page.text
    assert "81.6%" in page.text
    assert page.text.count('href="/provenance/results?') >= 5
    assert 'href="/provenance/comparisons?' in page.text
    assert registry.status_code == 200
    assert 'href="/provenance/adverse-events?' in registry.text


def test_an_unknown_trial_is_a_404_page(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        page = client.get("/trials/no-such-trial")
    assert page.status_code == 404
    assert "no trial with key &#39;no-such-trial&#39;" in page.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/results", {"trial": TRIAL, "endpoint_kind": "overall_survival"}),
        ("/results", {"trial": TRIAL, "timepoint": "2", "timepoint_unit": "years"}),
        ("/comparisons", {"trial": TRIAL, "origin": "derived"}),
        ("/adverse-events", {"trial": REGISTRY_RECORD, "serious": "true"}),
    ],
)
def test_fact_listings_filter_like_the_cli(
    web_database: TestDatabase, path: str, params: dict[str, str]
) -> None:
    command = {"/results": "results", "/comparisons": "comparisons"}.get(path, "adverse-events")
    options = []
    for name, value in params.items():
        if name == "serious":
            options.append("--serious")
        else:
            options += ["--" + name.replace("_", "-"), value]
    cli = run_cli(command, *options, "--format", "csv", db=web_database)
    assert cli.exit_code == 0, cli.stderr
    rows = len(list(csv.DictReader(io.StringIO(cli.stdout))))
    assert rows > 0
    with web_client(web_database.url) as client:
        page = client.get(path, params=params)
    assert page.status_code == 200
    assert page.text.count('href="/provenance/') == rows


def test_listings_page_at_most_200_rows(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        first = client.get("/results", params={"limit": 5})
        last = client.get("/results", params={"limit": 200})
        refused = client.get("/results", params={"limit": 500})
    assert first.text.count('href="/provenance/results?') == 5
    assert "Rows 1–5" in first.text
    assert 'rel="next"' in first.text
    assert 'rel="next"' not in last.text
    assert refused.status_code == 422


def test_listing_pages_walk_every_row_once_forwards_and_back(web_database: TestDatabase) -> None:
    """Keyset pages: `after` the last row's id, `before` the first row's, each row once."""

    def links(page: str) -> list[str]:
        return re.findall(r'href="(/provenance/results\?[^"]+)"', page)

    def follow(page: str, rel: str) -> str:
        found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
        return found.group(1).replace("&amp;", "&") if found else ""

    with web_client(web_database.url) as client:
        everything = links(client.get("/results", params={"limit": 200}).text)
        pages, url = [], "/results?limit=7"
        while url:
            page = client.get(url).text
            pages.append(page)
            url = follow(page, "next")
        back, url = [], follow(pages[-1], "prev")
        while url:
            page = client.get(url).text
            back.append(page)
            url = follow(page, "prev")
    assert len(pages) > 2
    assert [link for page in pages for link in links(page)] == everything
    assert [links(page) for page in reversed(back)] == [links(page) for page in pages[:-1]]
    assert "Rows 1–7" in pages[0]
    assert "7 rows" in pages[1]
    assert "First page" in pages[1]


def test_a_listing_downloads_as_the_export_csv(web_database: TestDatabase, tmp_path: Path) -> None:
    export = run_cli(
        "export", "csv", "results_flat", "--out", str(tmp_path / "r.csv"), db=web_database
    )
    assert export.exit_code == 0, export.stderr
    exported = (tmp_path / "r.csv").read_bytes().decode("utf-8")
    with web_client(web_database.url) as client:
        download = client.get("/results.csv")
        filtered = client.get("/results.csv", params={"trial": TRIAL})
        trials = client.get("/trials.csv", params={"design": "single_arm"})
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="results_flat.csv"' in download.headers["content-disposition"]
    assert download.text == exported
    rows = list(csv.DictReader(io.StringIO(filtered.text)))
    assert rows
    assert {row["trial_key"] for row in rows} == {TRIAL}
    assert next(iter(csv.DictReader(io.StringIO(trials.text))))["key"] == TRIAL


def test_provenance_of_a_result_marks_its_quote_in_the_document(
    web_database: TestDatabase,
) -> None:
    with web_client(web_database.url) as client:
        listing = client.get("/results", params={"trial": TRIAL, "endpoint": "dfs-2y"})
        link = re.search(r'href="(/provenance/results\?[^"]+)"', listing.text)
        assert link is not None
        page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert f"“{DFS_QUOTE}" in page.text
    assert re.search(r'<mark id="quote">[^<]*Two-year disease-free survival', page.text)
    assert "news-blinatumomab-infant-all" in page.text
    assert 'href="https://doi.org/10.1056/NEJMoa2214171"' in page.text  # what it reports on


def test_provenance_of_a_registry_fact_gives_its_json_path(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        listing = client.get("/adverse-events", params={"trial": REGISTRY_RECORD, "limit": 1})
        link = re.search(r'href="(/provenance/adverse-events\?[^"]+)"', listing.text)
        assert link is not None
        page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert re.search(r'<code class="locator">resultsSection\.adverseEventsModule', page.text)
    assert "<mark" not in page.text


def test_a_derived_comparison_shows_the_results_it_came_from(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        listing = client.get("/comparisons", params={"trial": TRIAL, "origin": "derived"})
        link = re.search(r'href="(/provenance/comparisons\?[^"]+)"', listing.text)
        assert link is not None
        page = client.get(link.group(1).replace("&amp;", "&"))
    assert "<h2>Computed from</h2>" in page.text
    inputs = page.text.split("<h2>Computed from</h2>")[1].split("</section>")[0]
    assert inputs.count('href="/provenance/results?') == 2
    assert page.text.count('<mark id="quote">') == 1


def test_provenance_of_a_fact_that_is_not_there_is_a_404(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        page = client.get("/provenance/results", params={"trial": TRIAL, "arm": "nope"})
        kind = client.get("/provenance/nonsense", params={"trial": TRIAL})
    assert page.status_code == 404
    assert kind.status_code == 422


def test_sql_page_runs_a_select_and_refuses_writes(web_database: TestDatabase) -> None:
    with web_client(web_database.url) as client:
        answer = client.get("/sql", params={"q": "SELECT key FROM trials ORDER BY key"})
        write = client.get("/sql", params={"q": "DELETE FROM trials"})
        empty = client.get("/sql")
    assert answer.status_code == 200
    assert "3 rows" in answer.text
    assert f"<td>{TRIAL}</td>" in answer.text
    assert write.status_code == 400
    assert "SQL refused" in write.text
    assert empty.status_code == 200
    assert "<table" not in empty.text


def test_sql_page_shows_the_first_rows_only(web_database: TestDatabase) -> None:
    with web_client(web_database.url, sql_rows_shown=2) as client:
        page = client.get("/sql", params={"q": "SELECT key FROM trials"})
    assert "2 rows (the first 2;" in page.text


def test_sql_page_stops_a_statement_at_its_time_limit(web_database: TestDatabase) -> None:
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    )
    with web_client(web_database.url, sql_time_limit=0.2) as client:
        page = client.get("/sql", params={"q": endless})
    assert page.status_code == 400
    assert re.search(r"SQL refused: .*(time limit|statement timeout)", page.text)


def test_values_are_html_escaped(database: TestDatabase, tmp_path: Path) -> None:
    script = '<script>alert("x")</script>'
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "doc.txt").write_text(f"Before. Survival was {script} 50% at 2 years.\n")
    (seeds / "escape.yaml").write_text(
        f"""schema_version: 1
sources:
  - key: report
    kind: news_report
    title: 'Report {script}'
    document: doc.txt
trial:
  key: escape-trial
  title: 'Trial {script}'
  design: single_arm
  source: report
  quote: Survival was
arms:
  - key: arm
    label: 'Arm {script}'
    role: experimental
    source: report
    quote: Survival was
endpoints:
  - key: os
    name: Overall survival
    kind: overall_survival
    source: report
    quote: Survival was
results:
  - endpoint: os
    arm: arm
    value: 50
    unit: "%"
    source: report
    quote: 'Survival was {script} 50%'
""",
        encoding="utf-8",
    )
    loaded = run_cli("load", str(seeds), db=database)
    assert loaded.exit_code == 0, loaded.stderr
    with web_client(database.as_user().url, documents_root=seeds) as client:
        pages = [
            client.get("/trials"),
            client.get("/trials/escape-trial"),
            client.get("/results"),
            client.get("/search", params={"q": script}),
            client.get("/sql", params={"q": "SELECT title FROM trials"}),
            client.get("/provenance/results?trial=escape-trial&endpoint=os&arm=arm&source=report"),
        ]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script" not in page.text, page.url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[-1].text
    assert '<mark id="quote">Survival was &lt;script&gt;' in pages[-1].text


def test_every_provenance_link_of_a_trial_page_opens(web_database: TestDatabase) -> None:
    """Facts, and the numbers of the trial's own description (enrollment, an arm's size, an
    endpoint's timepoint): each opens onto its page, with its quote marked in the document."""
    with web_client(web_database.url) as client:
        page = client.get(f"/trials/{TRIAL}")
        links = sorted(set(re.findall(r'href="(/provenance/[^"]+)"', page.text)))
        kinds = {link.split("?")[0] for link in links}
        assert kinds == {
            "/provenance/trials",
            "/provenance/arms",
            "/provenance/endpoints",
            "/provenance/results",
            "/provenance/comparisons",
            "/provenance/adverse-events",
        }
        for link in links:
            opened = client.get(link.replace("&amp;", "&"))
            assert opened.status_code == 200, link
            assert '<mark id="quote">' in opened.text, link
        arm = client.get(f"/provenance/arms?trial={TRIAL}&arm=blinatumomab")
        trial = client.get(f"/provenance/trials?trial={TRIAL}")
        missing = client.get(f"/provenance/arms?trial={TRIAL}&arm=nope")
    assert re.search(r"<th scope=\"row\">n_enrolled</th><td>30</td>", arm.text)
    assert '<mark id="quote">one postinduction course of blinatumomab to 30 infants' in arm.text
    assert "Quotes of single fields" in trial.text
    assert "<q>to 30 infants with KMT2A-rearranged ALL</q>" in trial.text
    assert missing.status_code == 404


def test_a_document_that_does_not_hold_the_quote_is_not_shown(
    database: TestDatabase, tmp_path: Path
) -> None:
    """A source whose document has changed since the load (or names a file it never quoted):
    the page says so and shows none of the file."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    document = seeds / "doc.txt"
    document.write_text("Survival was 50% at 2 years.\n", encoding="utf-8")
    (seeds / "t.yaml").write_text(
        """schema_version: 1
sources:
  - {key: report, kind: news_report, title: Report, document: doc.txt}
trial: {key: t, title: T, design: single_arm, source: report, quote: Survival was}
arms:
  - {key: arm, label: Arm, role: experimental, source: report, quote: Survival was}
endpoints:
  - {key: os, name: OS, kind: overall_survival, source: report, quote: Survival was}
results:
  - {endpoint: os, arm: arm, value: 50, unit: "%", source: report, quote: Survival was 50%}
""",
        encoding="utf-8",
    )
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    document.write_text("A secret that no quote names.\n", encoding="utf-8")
    with web_client(database.as_user().url, documents_root=seeds) as client:
        page = client.get("/provenance/results?trial=t&endpoint=os&arm=arm&source=report")
    assert page.status_code == 200
    assert "does not hold this quote" in page.text
    assert "secret" not in page.text


# One example of every route, so that a route added without a test fails the test below.
EXAMPLES = {
    "/": "/",
    "/search": "/search?q=leukemia",
    "/trials": "/trials?intervention=blinatumomab",
    "/trials/{key}": f"/trials/{TRIAL}",
    "/results": "/results?endpoint_kind=overall_survival",
    "/comparisons": "/comparisons?measure=risk_difference",
    "/adverse-events": "/adverse-events?min_grade=1",
    "/provenance/{kind}": f"/provenance/trials?trial={TRIAL}",
    "/meta-analyses": "/meta-analyses",
    "/meta-analyses/{key}": f"/meta-analyses/{ANALYSIS}",
    "/trials/{key}/reconciliation": f"/trials/{RECONCILED}/reconciliation",
    "/sql": "/sql?q=SELECT+1",
    "/trials.csv": "/trials.csv",
    "/results.csv": "/results.csv?arm_role=experimental",
    "/comparisons.csv": "/comparisons.csv?origin=reported",
    "/adverse-events.csv": "/adverse-events.csv?serious=true",
    "/api/trials": "/api/trials?phase=phase_2",
    "/api/trials/{key}": f"/api/trials/{TRIAL}",
    "/api/results": "/api/results",
    "/api/comparisons": "/api/comparisons",
    "/api/adverse-events": "/api/adverse-events",
    "/api/sql": "/api/sql?q=SELECT+1",
    "/api/meta-analyses": "/api/meta-analyses",
    "/api/meta-analyses/{key}": f"/api/meta-analyses/{ANALYSIS}",
    "/api/trials/{key}/reconciliation": f"/api/trials/{RECONCILED}/reconciliation",
    "/openapi.json": "/openapi.json",
    "/static": "/static/style.css",
}


def test_every_route_answers(analysed_database: TestDatabase) -> None:
    app = create_app(web_settings(analysed_database.url))
    assert set(routes_of(app)) == set(EXAMPLES)
    with web_client(analysed_database.url) as client:
        for example in EXAMPLES.values():
            answer = client.get(example)
            assert answer.status_code == 200, example
            assert answer.content, example
            if example.endswith(".csv") or ".csv?" in example:
                assert next(csv.reader(io.StringIO(answer.text)))  # a header row
