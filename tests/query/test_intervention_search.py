"""`--intervention TEXT` through the search indexes of revision 0002 matches exactly what its
definition matches (key; name or class containing TEXT, case-insensitively, LIKE wildcards
literal; target equal to TEXT, case-insensitively), on both databases; the SQLite FTS index
stays in step with loads that insert, update and delete interventions; and the query plans
read interventions through indexes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from evidencedb.query import facts
from evidencedb.query.filters import FactFilters, TrialFilters, intervention_ids
from evidencedb.query.trials import list_trials
from evidencedb.store import migrate
from evidencedb.store.database import open_engine, reading, writing
from evidencedb.store.models import Arm, ArmIntervention, Intervention, Trial
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS
from tests.support.seeds import copy_seeds, edit

SPECIAL = [  # names and classes that put LIKE's wildcards, quotes and case to the test
    ("odd-percent", "Dose 50% arm_b", "escape\\class", "Ab_1"),
    ("odd-plain", "Dose 500 armXb", "plain class", None),
    ("odd-quote", 'Say "hi" mab', "x'; DROP TABLE results; --", "cd19"),
    ("odd-accent", "Émile-ab İx", "ÉCLASS", "Ünit"),
]


def _definition(text_: str) -> Any:
    """The match as it was defined before the indexes: one OR over every intervention."""
    escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(
        Intervention.key == text_,
        Intervention.name.ilike(f"%{escaped}%", escape="\\"),
        func.lower(Intervention.target) == text_.lower(),
        Intervention.intervention_class.ilike(f"%{escaped}%", escape="\\"),
    )


def _add_special(database: TestDatabase) -> None:
    with writing(database.url) as connection:
        connection.execute(
            insert(Intervention),
            [
                {"key": k, "name": n, "kind": "drug", "intervention_class": c, "target": t}
                for k, n, c, t in SPECIAL
            ],
        )


def _texts(connection: Connection) -> list[str]:
    texts = ["%", "_", "\\", "a", "ab", "CD", "19", "50%", "0% arm_b", "m_b", "arm_", "%%%"]
    texts += ['"hi"', 'y "hi', "x'; DROP", "' OR '1'='1", "nothing-matches-this", "ÉMILE"]
    texts += ["émile", "İx", "ix", "ünit", "ÜNIT", "Ab_1", "ab_1", "\\cl", "escape\\"]
    for key, name, cls, target in connection.execute(
        select(
            Intervention.key,
            Intervention.name,
            Intervention.intervention_class,
            Intervention.target,
        )
    ):
        texts += [key, key.upper(), name, name.upper(), name.lower(), name[1:4], name[-3:]]
        texts += [value for value in (cls, target) if value]
        if target:
            texts += [target.lower(), target.upper()]
        if cls:
            texts += [cls.upper(), cls[2:7]]
    return sorted(set(texts))


def test_the_filter_matches_exactly_its_definition(loaded: TestDatabase) -> None:
    _add_special(loaded)
    with reading(loaded.url) as connection:
        texts = _texts(connection)
        for text_ in texts:
            expected = set(connection.scalars(select(Intervention.id).where(_definition(text_))))
            found = set(connection.scalars(intervention_ids(text_)))
            assert found == expected, text_
        assert set(connection.scalars(intervention_ids("0% arm_b"))) == set(
            connection.scalars(select(Intervention.id).where(Intervention.key == "odd-percent"))
        )


def test_every_query_command_filters_as_before(loaded: TestDatabase) -> None:
    """results, comparisons, adverse-events and trials: the rows whose arm (or trial)
    receives a matching intervention, for texts long and short."""
    with reading(loaded.url) as connection:
        arm_ids = {
            (trial, arm): id_
            for trial, arm, id_ in connection.execute(
                select(Trial.key, Arm.key, Arm.id).join(Trial, Trial.id == Arm.trial_id)
            )
        }
        for text_ in ["blinatumomab", "BLINA", "cd19", "T-cell", "engager", "ab", "x", "zzz"]:
            given = (
                select(ArmIntervention.arm_id, Trial.key)
                .join(Intervention, Intervention.id == ArmIntervention.intervention_id)
                .join(Trial, Trial.id == ArmIntervention.trial_id)
                .where(_definition(text_))
            )
            arms = {arm for arm, _ in connection.execute(given)}
            trials = {trial for _, trial in connection.execute(given)}
            for view in (
                facts.results_flat,
                facts.comparisons_flat,
                facts.adverse_events_flat,
            ):
                everything = connection.execute(view()).mappings().all()
                wanted = [
                    dict(row)
                    for row in everything
                    if arm_ids[(row["trial_key"], row["arm_key"])] in arms
                ]
                filtered = connection.execute(view(FactFilters(intervention=text_)))
                assert [dict(row) for row in filtered.mappings()] == wanted, (view, text_)
            listed = list_trials(connection, TrialFilters(intervention=text_))
            assert {row["key"] for row in listed} == trials, text_


def _fts_consistent(connection: Connection) -> None:
    """SQLite: FTS5 compares its index with the content table, row by row."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "INSERT INTO interventions_search (interventions_search, rank) "
            "VALUES ('integrity-check', 1)"
        )


def _matching_keys(url: str, text_: str) -> set[str]:
    with reading(url) as connection:
        _fts_consistent(connection)
        ids = intervention_ids(text_)
        return set(connection.scalars(select(Intervention.key).where(Intervention.id.in_(ids))))


def test_the_index_follows_loads_that_insert_update_and_delete(
    loaded: TestDatabase, tmp_path: Path
) -> None:
    assert _matching_keys(loaded.url, "Blinatumomab") == {"blinatumomab"}
    assert "blinatumomab" in _matching_keys(loaded.url, "engager")
    seeds = copy_seeds(tmp_path)
    seed = seeds / "blinatumomab-infant-kmt2a-all.yaml"
    edit(seed, "    name: Blinatumomab\n", "    name: Blincyto Renamed\n")
    edit(seed, "    class: bispecific T-cell engager\n", "    class: BiTE antibody\n")
    edit(seed, "    target: CD19\n", "    target: CD22x\n")
    edit(
        seed,
        "interventions:\n",
        "interventions:\n  - key: zolbetuximab-test\n    name: Zolbetuximab\n"
        "    kind: biological\n    target: CLDN18\n    class: claudin antibody\n",
    )
    outcome = run_cli("load", str(seeds), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    assert _matching_keys(loaded.url, "Blinatumomab") == set()
    assert _matching_keys(loaded.url, "engager") == set()
    assert _matching_keys(loaded.url, "cd19") == set()
    assert _matching_keys(loaded.url, "blincyto") == {"blinatumomab"}
    assert _matching_keys(loaded.url, "bite ANTI") == {"blinatumomab"}
    assert _matching_keys(loaded.url, "cd22X") == {"blinatumomab"}
    assert _matching_keys(loaded.url, "claudin") == {"zolbetuximab-test"}
    assert _matching_keys(loaded.url, "cldn18") == {"zolbetuximab-test"}
    with writing(loaded.url) as connection:  # nothing refers to it: it may go
        connection.execute(delete(Intervention).where(Intervention.key == "zolbetuximab-test"))
    assert _matching_keys(loaded.url, "claudin") == set()
    outcome = run_cli("load", str(SEEDS), db=loaded)  # back to the seeds as they are
    assert outcome.exit_code == 0, outcome.stderr
    assert _matching_keys(loaded.url, "Blinatumomab") == {"blinatumomab"}
    assert _matching_keys(loaded.url, "blincyto") == set()
    assert _matching_keys(loaded.url, "cd19") == {"blinatumomab"}


def test_the_migration_indexes_the_interventions_already_there(loaded: TestDatabase) -> None:
    with open_engine(loaded.url, write=True) as engine:
        with engine.begin() as connection:
            migrate.downgrade(connection, "0001")
        with engine.begin() as connection:
            migrate.upgrade(connection)
    assert _matching_keys(loaded.url, "T-CELL ENG") == {"blinatumomab"}
    assert _matching_keys(loaded.url, "cd19") == {"blinatumomab"}


def _add_many(database: TestDatabase, count: int) -> None:
    """`count` more interventions, each given to an arm of the seeds."""
    with writing(database.url) as connection:
        arms = connection.execute(select(Arm.trial_id, Arm.id)).all()
        classes = ["monoclonal antibody", "kinase inhibitor", None, None]
        connection.execute(
            insert(Intervention),
            [
                {
                    "key": f"synthetic-{i}",
                    "name": f"Synthetimab {i} ({i % 7})",
                    "kind": "drug",
                    "intervention_class": classes[i % 4],
                    "target": f"T{i % 97}" if i % 5 == 0 else None,
                }
                for i in range(count)
            ],
        )
        ids = dict(
            connection.execute(
                select(Intervention.key, Intervention.id).where(
                    Intervention.key.like("synthetic-%")
                )
            ).all()
        )
        connection.execute(
            insert(ArmIntervention),
            [
                {
                    "trial_id": arms[i % len(arms)].trial_id,
                    "arm_id": arms[i % len(arms)].id,
                    "intervention_id": ids[f"synthetic-{i}"],
                }
                for i in range(count)
            ],
        )
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))


def test_the_plan_reads_interventions_through_indexes(loaded: TestDatabase) -> None:
    _add_many(loaded, 3000)
    with reading(loaded.url) as connection:
        statement = facts.results_flat(FactFilters(intervention="blinatumomab"))
        compiled = str(
            statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        )
        if loaded.backend == "sqlite":
            plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled)]
            assert not [line for line in plan if re.match(r"SCAN interventions\b(?!_)", line)], plan
            assert any("interventions_search VIRTUAL TABLE" in line for line in plan), plan
            assert any("sqlite_autoindex_interventions_1 (key=?)" in line for line in plan)
            # Whether `results` (10 rows here) is read by index is the planner's call once it has
            # statistics; tests/test_benchmarks.py checks that at a size where it matters.
        else:
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + compiled))
            assert "Seq Scan on interventions" not in plan, plan
            assert "intervention_search_ids(" in plan, plan
            # (The seeds hold ten results: PostgreSQL rightly reads that table whole here.)
            # What the function runs, with its own settings (sequential scans off).
            settings, body = connection.execute(
                text(
                    "SELECT proconfig, prosrc FROM pg_proc "
                    "WHERE proname = 'intervention_search_ids' "
                    "AND pronamespace = current_schema()::regnamespace"
                )
            ).one()
            assert settings == ["enable_seqscan=off"]
            for number, name in enumerate(("wanted_key", "pattern", "wanted_target"), 1):
                body = body.replace(name, f"${number}")
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql(f"PREPARE search_ids (text, text, text) AS {body}")
            inner = "\n".join(
                row[0]
                for row in connection.exec_driver_sql(
                    "EXPLAIN EXECUTE search_ids "
                    "('blinatumomab', '%%blinatumomab%%', 'blinatumomab')"
                )
            )
            connection.exec_driver_sql("DEALLOCATE search_ids")
            assert "Seq Scan" not in inner, inner
            for index in (
                "uq_interventions_key",
                "ix_interventions_name_trgm",
                "ix_interventions_lower_target",
                "ix_interventions_intervention_class_trgm",
            ):
                assert index in inner, inner
        rows = connection.execute(statement).mappings().all()
        assert rows
        assert {row["arm_key"] for row in rows} <= {
            key
            for (key,) in connection.execute(
                select(Arm.key)
                .join(ArmIntervention, ArmIntervention.arm_id == Arm.id)
                .join(Intervention, Intervention.id == ArmIntervention.intervention_id)
                .where(Intervention.key == "blinatumomab")
            )
        }


def _name_index_pages(connection: Connection) -> int:
    """Pages of the name's trigram index that a search for a text matching nothing reads: its
    pending list, whole, and a few pages for each of the text's three trigrams."""
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT id FROM interventions "
        "WHERE name ILIKE '%%qzxjv%%'"
    ).scalar_one()
    scan = plan[0]["Plan"]["Plans"][0]
    assert scan["Index Name"] == "ix_interventions_name_trgm", scan
    return int(scan["Shared Hit Blocks"]) + int(scan["Shared Read Blocks"])


# GIN pending lists are PostgreSQL's: this test runs there only.
@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_revision_0003_keeps_the_trigram_pending_lists_small(loaded: TestDatabase) -> None:
    """A search reads a GIN index's pending list whole. Revision 0003 caps the lists of both
    trigram indexes at 64 kB and moves what is pending when it runs."""
    _add_many(loaded, 3000)
    options = text(
        "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'ix_interventions_%%_trgm' "
        "AND relnamespace = current_schema()::regnamespace ORDER BY relname"
    )
    with open_engine(loaded.url, write=True) as engine:
        with engine.begin() as connection:
            capped = ["gin_pending_list_limit=64"]
            assert connection.execute(options).all() == [
                ("ix_interventions_intervention_class_trgm", capped),
                ("ix_interventions_name_trgm", capped),
            ]
            migrate.downgrade(connection, "0002")
            assert [row[1] for row in connection.execute(options)] == [None, None]
            # Every name indexed again: at 0002 the new entries wait in the pending list.
            connection.execute(update(Intervention).values(name=Intervention.name))
        with engine.begin() as connection:
            pending = _name_index_pages(connection)
        with engine.begin() as connection:
            migrate.upgrade(connection)
            assert [row[1] for row in connection.execute(options)] == [capped, capped]
        with engine.begin() as connection:
            moved = _name_index_pages(connection)
    assert moved * 10 < pending, (moved, pending)
