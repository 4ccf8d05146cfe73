"""The trial page's baseline characteristics and participant flow: each value in its
characteristic's row and its arm's column, each opening onto the registry field it came from,
the registry's own text where it wrote no plain number; and the same rows in the JSON."""

from __future__ import annotations

import html
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.html_tables import Table, tables_of
from tests.support.web import web_client
from tests.web.conftest import BASELINE_RECORD

ARMS = ["720 shockwave therapy Group", "Sham shockwave therapy", "Total"]


def _trial_page(database: TestDatabase, key: str = BASELINE_RECORD) -> str:
    with web_client(database.url) as client:
        page = client.get(f"/trials/{key}")
    assert page.status_code == 200
    return page.text


def _section(text: str, section: str) -> list[Table]:
    return tables_of(text, f'<section id="{section}">', "</section>")


def test_baseline_is_a_row_per_characteristic_and_a_column_per_arm(
    baseline_database: TestDatabase,
) -> None:
    [table] = _section(_trial_page(baseline_database), "baseline")
    header = table.rows[0]
    assert [cell.text for cell in header] == [
        "Characteristic",
        "720 shockwave therapy Group active comparator n = 13",
        "Sham shockwave therapy other n = 10",
        "Total n = 23",
    ]
    assert all(cell.scope == "col" for cell in header)
    age = table.row("Age, Continuous")
    assert age[0].text == "Age, Continuous mean, years"
    assert age[0].scope == "row"
    assert [cell.text for cell in age[1:]] == ["52.4 (SD 10.5)", "51.2 (SD 8.9)", "51.7 (SD 9.4)"]
    sex = table.row("Sex: Female, Male")
    assert sex[0].scope == "rowgroup"
    assert [cell.text for cell in table.row("Male")[1:]] == ["13", "10", "23"]
    # Reported for Total alone, about 0 participants rather than the column's 23.
    not_collected = table.row("Race and Ethnicity Not Collected")
    assert [cell.text for cell in not_collected[1:]] == ["—", "—", "0 n = 0"]


def test_flow_is_a_table_per_period_with_milestones_and_reasons(
    baseline_database: TestDatabase,
) -> None:
    text = _trial_page(baseline_database)
    tables = _section(text, "flow")
    assert [table.caption for table in tables] == [
        f"Participants per arm in {period}"
        for period in (
            "Baseline Visit",
            "Weekly Therapy Sessions",
            "Month 1 Visit",
            "Waiting Period",
            "Month 3 Visit",
        )
    ]
    weekly = tables[1]
    assert [cell.text for cell in weekly.rows[0]][1:] == [
        "720 shockwave therapy Group active comparator",
        "Sham shockwave therapy other",
    ]
    assert [cell.text for cell in weekly.row("COMPLETED")[1:]] == ["5", "7"]
    assert [cell.text for cell in weekly.row("NOT COMPLETED")[1:]] == ["8", "3"]
    assert weekly.row("Reasons for withdrawal")[0].scope == "rowgroup"
    reason = weekly.row("Enrollment was halted")
    assert reason[0].scope == "row"
    assert [cell.text for cell in reason[1:]] == ["8", "3"]
    assert all(table.row("STARTED")[0].scope == "row" for table in tables)
    assert '<a href="#flow">Participant flow</a>' in text
    assert '<a href="#baseline">Baseline</a>' in text


def test_every_baseline_and_flow_value_opens_onto_its_json_path(
    baseline_database: TestDatabase,
) -> None:
    text = _trial_page(baseline_database)
    [baseline] = _section(text, "baseline")
    [sham_age] = baseline.row("Age, Continuous")[2].links
    reason = _section(text, "flow")[1].row("Enrollment was halted")
    [treated_withdrawn] = reason[1].links
    flow_cells = [cell for table in _section(text, "flow") for row in table.rows for cell in row]
    counts = [cell for cell in flow_cells if cell.tag == "td"]
    assert len(counts) == 34
    assert all(len(cell.links) == 1 for cell in counts)
    with web_client(baseline_database.url) as client:
        age = client.get(html.unescape(sham_age))
        withdrawn = client.get(html.unescape(treated_withdrawn))
    assert age.status_code == 200
    assert "Where this number comes from" in age.text
    assert (
        '<code class="locator">resultsSection.baselineCharacteristicsModule.measures[0]'
        ".classes[0].categories[0].measurements[1]</code>"
    ) in age.text
    assert '<th scope="row">value</th><td>51.2</td>' in age.text
    assert withdrawn.status_code == 200
    assert (
        '<code class="locator">resultsSection.participantFlowModule.periods[1]'
        ".dropWithdraws[0].reasons[0]</code>"
    ) in withdrawn.text
    assert '<th scope="row">count</th><td>8</td>' in withdrawn.text


def test_the_trial_json_holds_the_baseline_and_flow_rows(baseline_database: TestDatabase) -> None:
    with web_client(baseline_database.url) as client:
        trial = client.get(f"/api/trials/{BASELINE_RECORD}").json()
    assert len(trial["baseline_measurements"]) == 10
    assert len(trial["participant_flow"]) == 34
    age = trial["baseline_measurements"][0]
    assert (age["arm_key"], age["value"], age["spread"], age["n"]) == (
        "720-shockwave-therapy-group",
        52.4,
        10.5,
        13,
    )


def test_a_trial_without_baseline_or_flow_has_no_such_sections(
    baseline_database: TestDatabase,
) -> None:
    text = _trial_page(baseline_database, "blinatumomab-infant-kmt2a-all")
    assert '<section id="baseline">' not in text
    assert '<section id="flow">' not in text
    assert 'href="#baseline"' not in text


def test_registry_text_quotes_and_markup_show_as_text(
    database: TestDatabase, tmp_path: Path
) -> None:
    """A value the source wrote as no plain number shows as written; a quote opens in its
    document; `<script>` anywhere reads as text."""
    script = '<script>alert("x")</script>'
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "doc.txt").write_text(f"Median age was <5 years {script}; 12 started.\n")
    (seeds / "baseline.yaml").write_text(
        f"""schema_version: 1
sources:
  - key: report
    kind: news_report
    title: Report
    document: doc.txt
trial:
  key: baseline-trial
  title: Baseline trial
  design: single_arm
  source: report
  quote: Median age
arms:
  - key: arm
    label: 'Arm {script}'
    role: experimental
    source: report
    quote: Median age
baseline_measurements:
  - arm: arm
    characteristic: 'Age {script}'
    category: '{script}'
    parameter_type: median
    value: 5
    value_raw: '<5'
    unit: years
    spread_type: full_range
    spread_raw: '1 to {script}'
    n: 12
    source: report
    quote: 'Median age was <5 years {script}'
participant_flow:
  - arm: arm
    period: 'Period {script}'
    kind: withdrawal_reason
    label: 'Reason {script}'
    count_raw: 'NA {script}'
    note: 'Note {script}'
    source: report
    quote: 12 started
""",
        encoding="utf-8",
    )
    loaded = run_cli("load", str(seeds), db=database)
    assert loaded.exit_code == 0, loaded.stderr
    with web_client(database.as_user().url, documents_root=seeds) as client:
        page = client.get("/trials/baseline-trial")
        [baseline] = _section(page.text, "baseline")
        [value] = baseline.row(script)[1].links
        provenance = client.get(html.unescape(value))
    assert page.status_code == 200
    assert "<script" not in page.text
    assert "<script" not in provenance.text
    assert baseline.row(script)[1].text == f"<5 (range 1 to {script})"
    [flow] = _section(page.text, "flow")
    assert flow.caption == f"Participants per arm in Period {script}"
    assert flow.row(f"Reason {script}")[1].text == f"NA {script} Note {script}"
    assert provenance.status_code == 200
    assert '<mark id="quote">Median age was &lt;5 years &lt;script&gt;' in provenance.text
