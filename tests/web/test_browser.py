"""The web view in a real browser: Playwright drives Debian's Chromium (/usr/bin/chromium)
through a person's visit, over uvicorn, on the seeds and an imported registry record.
Screenshots of the main pages at 1280 px and at a phone's width are saved under
test-output/web/. Without Chromium these tests skip, except under CI=true."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.cli import run_cli
from tests.support.environment import IN_CI, SEEDS, require_shared
from tests.support.web import TEST_OUTPUT, served
from tests.web.conftest import (
    ANALYSIS,
    BASELINE_RECORD,
    RECONCILED,
    REGISTRY_RECORD,
    import_baseline_record,
    load_analyses,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TRIAL = "blinatumomab-infant-kmt2a-all"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian's chromium package)"
        if IN_CI:
            pytest.fail(reason + "; required under CI=true (.ci/run installs it)")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web view over a SQLite file with the seeds and a registry record loaded, and a
    saved meta-analysis, a trial with both a registry record and a publication, and a record
    with baseline characteristics and participant flow."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'evidence.db'}"
    assert run_cli("load", str(SEEDS), db=url).exit_code == 0
    record = require_shared() / "ctgov" / f"{REGISTRY_RECORD}.json"
    assert run_cli("import", "ctgov", str(record), db=url).exit_code == 0
    load_analyses(url)
    import_baseline_record(url)
    with served(url) as address:
        yield address


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(base_url=site, viewport=DESKTOP, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def _screenshot(page: Page, name: str) -> Path:
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    path = TEST_OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


def test_search_open_a_trial_and_a_numbers_quote(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Search trials, interventions, conditions and endpoints").fill("CD19")
    page.get_by_label("Search trials, interventions, conditions and endpoints").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=CD19"))
    page.get_by_role("link", name=TRIAL).first.click()
    expect(page).to_have_url(re.compile(f"/trials/{TRIAL}$"))
    expect(page.get_by_role("heading", level=2, name="Results")).to_be_visible()
    page.get_by_role("link", name="81.6%").first.click()
    expect(page.get_by_role("heading", name="Where this number comes from")).to_be_visible()
    mark = page.locator("mark#quote")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("81.6%")
    highlighted = mark.evaluate("element => getComputedStyle(element).backgroundColor")
    assert highlighted not in ("rgba(0, 0, 0, 0)", "transparent")
    _screenshot(page, "provenance-desktop")


def test_a_registry_fact_shows_its_json_path(page: Page) -> None:
    page.goto(f"/adverse-events?trial={REGISTRY_RECORD}&serious=true")
    page.locator('a[href^="/provenance/adverse-events"]').first.click()
    locator = page.locator("code.locator")
    expect(locator).to_contain_text("resultsSection.adverseEventsModule")


def test_download_a_listing_as_csv_and_read_it_back(page: Page, tmp_path: Path) -> None:
    page.goto(f"/results?trial={TRIAL}")
    shown = page.locator('a[href^="/provenance/results"]').count()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "results_flat.csv"
    saved = tmp_path / "results.csv"
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8"))))
    assert len(rows) == shown > 0
    assert {row["trial_key"] for row in rows} == {TRIAL}
    assert "81.6" in {row["value"] for row in rows}


def test_run_a_sql_query(page: Page) -> None:
    page.goto("/sql")
    page.get_by_label(re.compile("One SELECT statement")).fill(
        "SELECT key, title FROM trials ORDER BY key"
    )
    page.get_by_role("button", name="Run").click()
    table = page.locator("table.sql")
    expect(table.locator("tbody tr")).to_have_count(7)
    expect(table).to_contain_text(TRIAL)
    page.get_by_label(re.compile("One SELECT statement")).fill("DROP TABLE trials")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_role("alert")).to_contain_text("SQL refused")


def test_keyboard_reaches_the_content_and_the_numbers(page: Page) -> None:
    page.goto(f"/trials/{TRIAL}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/provenance/"):
            break
    else:
        pytest.fail("no provenance link within 60 tabs")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Where this number comes from")


def test_pages_read_without_css(page: Page) -> None:
    page.route("**/static/style.css", lambda route: route.abort())
    page.goto(f"/trials/{TRIAL}")
    headers = page.locator("table th[scope=col]").all_inner_texts()
    assert {"Arm", "Endpoint", "Value", "CI", "Source"} <= set(headers)
    expect(page.get_by_role("link", name="81.6%").first).to_be_visible()


def test_open_a_meta_analysis_and_its_forest_plot(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meta-analyses").click()
    expect(page).to_have_url(re.compile("/meta-analyses$"))
    page.get_by_role("link", name=ANALYSIS).click()
    expect(page).to_have_url(re.compile(f"/meta-analyses/{ANALYSIS}$"))
    forest = page.locator("figure.forest svg")
    expect(forest).to_be_visible()
    box = forest.bounding_box()
    assert box is not None
    assert box["width"] > 500
    assert box["height"] > 100
    expect(forest.locator("g.study")).to_have_count(2)
    expect(forest.locator("polygon")).to_be_visible()  # the pooled diamond
    expect(forest).to_contain_text("FIDELIO-DKD")
    _screenshot(page, "meta-analysis-open-desktop")
    page.locator("#lineage a[href^='/provenance/comparisons']").first.click()
    expect(page.get_by_role("heading", name="Where this number comes from")).to_be_visible()
    expect(page.locator("code.locator")).to_contain_text("resultsSection.outcomeMeasuresModule")


def test_open_a_trials_reconciliation(page: Page) -> None:
    page.goto(f"/trials/{RECONCILED}")
    page.get_by_role("link", name="Registry record vs publication").click()
    expect(page).to_have_url(re.compile(f"/trials/{RECONCILED}/reconciliation$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registry record and publication")
    values = page.locator("#values table")
    expect(values.locator("tbody tr")).to_have_count(5)
    expect(values).to_contain_text("agree")
    expect(page.locator("#outcomes")).to_contain_text("reported as registered")
    _screenshot(page, "reconciliation-open-desktop")


def test_open_a_baseline_value_onto_its_registry_field(page: Page) -> None:
    page.goto(f"/trials/{BASELINE_RECORD}")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Baseline").click()
    table = page.locator("#baseline table")
    expect(table).to_be_visible()
    expect(
        table.get_by_role("columnheader", name=re.compile("Sham shockwave therapy"))
    ).to_be_visible()
    age = table.get_by_role("row", name=re.compile("^Age, Continuous"))
    expect(age.get_by_role("cell")).to_have_text(
        ["52.4 (SD 10.5)", "51.2 (SD 8.9)", re.compile(r"^51\.7 \(SD 9\.4\)")]
    )
    age.get_by_role("link", name="51.2").click()
    expect(page.get_by_role("heading", name="Where this number comes from")).to_be_visible()
    expect(page.locator("code.locator")).to_contain_text(
        "baselineCharacteristicsModule.measures[0].classes[0].categories[0].measurements[1]"
    )


MAIN_PAGES = {
    "home": "/",
    "search": "/search?q=leukemia",
    "trials": "/trials",
    "trial": f"/trials/{TRIAL}",
    "registry-trial": f"/trials/{REGISTRY_RECORD}",
    "results": "/results",
    "comparisons": "/comparisons",
    "adverse-events": "/adverse-events",
    "sql": "/sql?q=SELECT+kind%2C+count%28*%29+FROM+endpoints+GROUP+BY+kind",
    "meta-analyses": "/meta-analyses",
    "meta-analysis": f"/meta-analyses/{ANALYSIS}",
    "reconciliation": f"/trials/{RECONCILED}/reconciliation",
    "baseline-trial": f"/trials/{BASELINE_RECORD}",
}


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_the_main_pages(
    browser: Browser, site: str, width: str, viewport: dict[str, int]
) -> None:
    """Each main page at 1280 px and at a phone's width: saved for a person to look at, and
    no page wider than the screen (wide tables scroll inside their own box)."""
    context = browser.new_context(base_url=site, viewport=viewport)
    try:
        page = context.new_page()
        for name, path in MAIN_PAGES.items():
            answer = page.goto(path)
            assert answer is not None
            assert answer.status == 200, path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow} px wider than a {width} screen"
            _screenshot(page, f"{name}-{width}")
    finally:
        context.close()
