"""The curated seeds: valid, current schema, and every quote verbatim in the seed document."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from evidencedb.records.quotes import normalise_text
from evidencedb.seedfiles.jsonschema import analysis_json_schema, json_schema
from evidencedb.seedfiles.reading import read_seed_files
from evidencedb.store.database import reading
from evidencedb.store.fact_models import AdverseEvent, Result
from evidencedb.store.models import Arm, Endpoint, Intervention, Trial
from evidencedb.store.source_models import Source
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS, require_shared

SEED_DOCUMENT = "seed-source/000_63295637e0d57408.txt"


def _quotes(value: Any) -> list[str]:
    """Every `quote` and every value under `quotes` anywhere in a parsed document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "quote" and isinstance(item, str):
                found.append(item)
            elif key == "quotes" and isinstance(item, dict):
                found.extend(item.values())
            else:
                found.extend(_quotes(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_quotes(item))
    return found


def test_schema_json_is_current() -> None:
    on_disk = json.loads((SEEDS / "schema.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema(), "run `make schema` to regenerate seeds/schema.json"
    analyses = json.loads((SEEDS / "analyses" / "schema.json").read_text(encoding="utf-8"))
    assert analyses == analysis_json_schema(), "run `make schema` to regenerate it"


def test_every_quote_is_verbatim_in_the_seed_document() -> None:
    document = normalise_text((require_shared() / SEED_DOCUMENT).read_text(encoding="utf-8"))
    bundles = read_seed_files([SEEDS])
    quotes = [q for b in bundles for q in _quotes(b.data.model_dump(by_alias=True))]
    assert len(quotes) > 40
    missing = [quote for quote in quotes if normalise_text(quote) not in document]
    assert missing == []
    assert all(len(quote) <= 160 for quote in quotes), "quotes are meant to be short"


def test_the_study_as_the_report_states_it(loaded: TestDatabase) -> None:
    with reading(loaded.url) as connection:
        trial = connection.execute(
            select(Trial).where(Trial.key == "blinatumomab-infant-kmt2a-all")
        ).one()
        assert trial.enrollment == 30
        assert trial.design == "single_arm"
        article = connection.execute(select(Source).where(Source.doi.is_not(None))).one()
        assert article.doi == "10.1056/NEJMoa2214171"
        assert article.citation == "N Engl J Med 2023; 388:1572-1581"
        assert article.authors.startswith("Van der Sluis I., de Lorenzo P.")
        news = connection.execute(select(Source).where(Source.kind == "news_report")).one()
        assert news.reports_on_id == article.id
        blinatumomab = connection.execute(
            select(Intervention).where(Intervention.key == "blinatumomab")
        ).one()
        assert (blinatumomab.target, blinatumomab.intervention_class) == (
            "CD19",
            "bispecific T-cell engager",
        )
        control = connection.execute(select(Arm).where(Arm.role == "historical_control")).one()
        interfant = connection.execute(select(Trial.id).where(Trial.key == "interfant-06"))
        assert control.source_trial_id == interfant.scalar_one()
        primary = connection.execute(select(Endpoint).where(Endpoint.role == "primary")).one()
        assert primary.domain == "safety"
        rows = connection.execute(
            select(Endpoint.key, Arm.key, Result.value, Result.value_qualifier)
            .join(Endpoint, Endpoint.id == Result.endpoint_id)
            .join(Arm, Arm.id == Result.arm_id)
        ).all()
        values = {(endpoint, arm): (value, qualifier) for endpoint, arm, value, qualifier in rows}
        assert values[("dfs-2y", "blinatumomab")] == (81.6, None)
        assert values[("dfs-2y", "interfant-06-historical-control")] == (49.4, None)
        assert values[("os-2y", "blinatumomab")] == (93.3, None)
        assert values[("os-2y", "interfant-06-historical-control")] == (65.8, None)
        assert values[("mrd-after-blinatumomab", "blinatumomab")] == (93.0, None)
        assert values[("mrd-negative-further-treatment", "blinatumomab")] == (100.0, None)
        assert values[("primary-safety", "blinatumomab")] == (0.0, None)
        assert values[("efs-3y-background", "disease-background")] == (40.0, "<")
        assert values[("relapse-2y-background", "disease-background")] == (90.0, None)
        serious = connection.execute(select(AdverseEvent)).one()
        assert (serious.category, serious.event_count, serious.is_aggregate) == (
            "serious",
            10,
            True,
        )
