"""The pages of analyses over a real database (SQLite and PostgreSQL): saved meta-analyses
with their forest plots and lineage, a trial's reconciliation, their JSON, and escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import REPO
from tests.support.web import web_client
from tests.web.conftest import ANALYSIS, RECONCILED, REGISTRY_RECORD

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_meta_analyses_are_listed_from_the_home_page_and_the_navigation(
    analysed_database: TestDatabase,
) -> None:
    with web_client(analysed_database.url) as client:
        home = client.get("/")
        listing = client.get("/meta-analyses")
    assert home.text.count('href="/meta-analyses"') >= 2  # the navigation and the page
    assert listing.status_code == 200
    assert f'href="/meta-analyses/{ANALYSIS}"' in listing.text
    assert "Finerenone and the cardiovascular composite" in listing.text
    assert "0.865478 (0.787667 to 0.950976)" in listing.text  # the last load's result


def test_a_meta_analysis_page_shows_its_forest_plot_studies_and_pooled_numbers(
    analysed_database: TestDatabase,
) -> None:
    with web_client(analysed_database.url) as client:
        page = client.get(f"/meta-analyses/{ANALYSIS}")
    assert page.status_code == 200
    text = page.text
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('<g class="study">') == 2
    assert "<polygon points=" in svg  # the pooled diamond
    assert "0.865 [0.788, 0.951]" in svg
    assert ">FIDELIO-DKD</text>" in svg
    assert ">45.1%</text>" in svg
    for heading in ("Question and model", "Forest plot", "Pooled estimate", "Studies"):
        assert f"<h2>{heading}</h2>" in text
    assert re.search(r"<th scope=\"row\">I²</th><td>0\.0%</td>", text)
    assert "0.0143226 on 1 df (p-value 0.9047)" in text  # Q and its p
    assert "<td>FE</td>" not in text
    assert "<dd>FE</dd>" in text
    assert 'href="/trials/fidelio-dkd"' in text
    assert "reported hazard ratio with its 95% CI" in text  # what each study came from


def test_each_number_a_study_used_opens_onto_its_provenance(
    analysed_database: TestDatabase,
) -> None:
    with web_client(analysed_database.url) as client:
        page = client.get(f"/meta-analyses/{ANALYSIS}")
        lineage = page.text.split('<section id="lineage">')[1].split("</section>")[0]
        links = re.findall(r'href="(/provenance/comparisons\?[^"]+)"', lineage)
        assert len(links) == 6  # value, ci_lower and ci_upper of each of the two studies
        opened = client.get(links[0].replace("&amp;", "&"))
    assert "resultsSection.outcomeMeasuresModule.outcomeMeasures[1].analyses[0]" in lineage
    assert opened.status_code == 200
    assert "Where this number comes from" in opened.text
    assert '<code class="locator">resultsSection.outcomeMeasuresModule' in opened.text


def test_a_trial_page_links_to_its_analyses_and_its_reconciliation(
    analysed_database: TestDatabase,
) -> None:
    with web_client(analysed_database.url) as client:
        pooled = client.get("/trials/fidelio-dkd")
        reconciled = client.get(f"/trials/{RECONCILED}")
        neither = client.get(f"/trials/{REGISTRY_RECORD}")
    assert f'href="/meta-analyses/{ANALYSIS}"' in pooled.text
    assert "/reconciliation" not in pooled.text  # no registry record of its own
    assert f'href="/trials/{RECONCILED}/reconciliation"' in reconciled.text
    assert "/reconciliation" not in neither.text
    assert "/meta-analyses/" not in neither.text


def test_the_reconciliation_page_shows_what_reconcile_reports(
    analysed_database: TestDatabase,
) -> None:
    printed = run_cli("reconcile", RECONCILED, "--format", "json", db=analysed_database)
    assert printed.exit_code == 0, printed.stderr
    found = json.loads(printed.stdout)
    with web_client(analysed_database.url) as client:
        page = client.get(f"/trials/{RECONCILED}/reconciliation")
    assert page.status_code == 200
    for heading in ("Outcomes", "Values", "History"):
        assert f"<h2>{heading}</h2>" in page.text
    outcomes = page.text.split('<section id="outcomes">')[1].split("</section>")[0]
    values = page.text.split('<section id="values">')[1].split("</section>")[0]
    assert outcomes.count('<tr><th scope="row">') == len(found["outcomes"]) == 2
    assert "reported as registered" in outcomes
    assert values.count('<tr><th scope="row">') == len(found["values"]) == 5
    assert ">72.973</td>" in values
    assert ">73</a>" in values
    assert "No change to the registered primary outcomes" in page.text
    assert f'href="/results?trial={RECONCILED}&amp;endpoint=pgic-improved&amp;arm=fm-act"' in values


def test_a_trial_without_both_sources_has_no_reconciliation(
    analysed_database: TestDatabase,
) -> None:
    with web_client(analysed_database.url) as client:
        curated_only = client.get("/trials/fidelio-dkd/reconciliation")
        unknown = client.get("/trials/nope/reconciliation")
        api = client.get("/api/trials/nope/reconciliation")
        no_analysis = client.get("/meta-analyses/nope")
    assert curated_only.status_code == 404
    assert "has no registry record" in curated_only.text
    assert unknown.status_code == 404
    assert api.status_code == 404
    assert api.json() == {"detail": "no trial 'nope'"}
    assert no_analysis.status_code == 404
    assert f"there are: {ANALYSIS}" in no_analysis.text


def test_the_api_answers_what_the_commands_print(analysed_database: TestDatabase) -> None:
    reconciled = run_cli("reconcile", RECONCILED, "--format", "json", db=analysed_database)
    meta = run_cli("meta", "--analysis", ANALYSIS, "--format", "json", db=analysed_database)
    with web_client(analysed_database.url) as client:
        listing = client.get("/api/meta-analyses").json()
        one = client.get(f"/api/meta-analyses/{ANALYSIS}").json()
        reconciliation = client.get(f"/api/trials/{RECONCILED}/reconciliation").json()
    assert [row["key"] for row in listing] == [ANALYSIS]
    assert listing[0]["k"] == 2
    assert listing[0]["estimate"] == one["result"]["estimate"]
    assert one["result"] == json.loads(meta.stdout)
    assert one["analysis"]["measure"] == "hazard_ratio"
    assert [study["trial"] for study in one["analysis"]["studies"]] == ["fidelio-dkd", "figaro-dkd"]
    assert reconciliation == json.loads(reconciled.stdout)


def test_titles_on_the_analysis_pages_are_html_escaped(
    database: TestDatabase, tmp_path: Path
) -> None:
    analyses = tmp_path / "analyses"
    analyses.mkdir()
    (analyses / "escape.yaml").write_text(
        f"""schema_version: 1
analysis:
  key: escape
  title: 'Pooled {SCRIPT}'
  question: {{population: 'People {SCRIPT}'}}
  measure: hazard_ratio
  method: FE
  studies:
    - {{trial: fidelio-dkd, endpoint: cv-composite}}
    - {{trial: figaro-dkd, endpoint: cv-composite}}
""",
        encoding="utf-8",
    )
    finerenone = REPO / "examples" / "finerenone"
    loaded = run_cli(
        "load",
        str(finerenone / "fidelio-dkd.yaml"),
        str(finerenone / "figaro-dkd.yaml"),
        str(analyses),
        db=database,
    )
    assert loaded.exit_code == 0, loaded.stderr
    with web_client(database.as_user().url) as client:
        pages = [client.get("/meta-analyses"), client.get("/meta-analyses/escape")]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script" not in page.text, page.url
        assert f"Pooled {ESCAPED}" in page.text, page.url
