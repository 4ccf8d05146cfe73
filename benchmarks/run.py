"""evidencedb at registry scale: import, export and query figures, on SQLite and PostgreSQL.

    python benchmarks/run.py --records 20000 --backends sqlite,postgresql --out results.json

One run builds a synthetic corpus of ClinicalTrials.gov records (`benchmarks/corpus.py`), then,
on each backend, measures against the database's own fastest path in the same run:

- import: `evidencedb import ctgov` end to end (read, parse, map, validate, write, commit) in
  fact rows (results, comparisons, adverse events) per second, against the same rows of every
  table written as ready tuples by plain `sqlite3` `executemany` / psycopg `COPY FROM`;
- export: CSV of `results_flat` and of `results` through the library, against `sqlite3 -csv`
  / `COPY (...) TO STDOUT WITH CSV` of the same SELECT;
- latency (p50, p95) of the common filtered queries through the library's query functions,
  with the database's plan (a full scan of a fact table is flagged);
- the web view's server-side latency (p50, p95) of the trial page and filtered listings of at
  most 200 rows (`benchmarks/web_pages.py`);
- peak memory (RSS): every import and export runs in a fresh subprocess that reports its own
  peak RSS; an export of an empty database is the reference for export memory.

It prints a table and writes every figure as JSON. PostgreSQL is the server at
$EVIDENCEDB_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
the run uses schemas of its own there and drops them afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402
from web_pages import measure_web, print_web  # noqa: E402

from evidencedb.operations.import_ctgov import import_ctgov  # noqa: E402
from evidencedb.operations.summary import table_counts  # noqa: E402
from evidencedb.query import export, facts  # noqa: E402
from evidencedb.query.filters import FactFilters  # noqa: E402
from evidencedb.store.database import reading, writing  # noqa: E402
from evidencedb.store.models import metadata  # noqa: E402

POSTGRES_URL = os.environ.get(
    "EVIDENCEDB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FACT_TABLES = (
    "results",
    "comparisons",
    "adverse_events",
    "baseline_measurements",
    "participant_flow",
)
BASELINE_CHUNK = 50_000  # rows read ahead (untimed) before each timed write
QUERY_REPEATS = 30
# Runs before the timed ones. PostgreSQL plans a statement afresh on each of its first runs on
# a connection: psycopg prepares it on the 5th (its prepare_threshold), and the server then
# tries 5 custom plans before it keeps a generic one. After 12 runs the figures are those of a
# long-lived connection (a service, a notebook); the very first run, which a one-shot CLI
# command pays, is reported apart.
QUERY_WARMUPS = 12
FACTS = "(results|comparisons|adverse_events)"
FULL_SCAN = re.compile(rf"^SCAN {FACTS}\b|Seq Scan on {FACTS}\b|Index Scan using pk_{FACTS} ")


# Subprocess workers: each reports its own figures and peak RSS as one JSON line -----------


def _peak_rss_mb() -> float:
    """This process's peak RSS. Not getrusage's ru_maxrss: Linux carries it over from the
    parent through fork and exec, so a worker would report the runner's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _worker_import(url: str, corpus: str, batch_size: str) -> dict[str, Any]:
    started = time.perf_counter()
    with writing(url) as connection:
        report = import_ctgov(connection, [Path(corpus)], batch_size=int(batch_size))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "studies": report.imported,
        "unchanged": report.unchanged,
        "facts": report.load.facts,
        "peak_rss_mb": _peak_rss_mb(),
        # The mapping process of a large import (imports.mapping_process), if one ran: an upper
        # bound, since Linux starts a child's ru_maxrss at its parent's RSS when it forks.
        "mapping_process_peak_rss_mb_at_most": (
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
    }


def _worker_export(url: str, name: str, out: str) -> dict[str, Any]:
    started = time.perf_counter()
    with reading(url, snapshot=True) as connection:
        rows = export.write_file_atomically(
            Path(out), lambda stream: export.write_export(connection, name, stream)
        )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def _worker_copy_out(url: str, sql: str, out: str) -> dict[str, Any]:
    """PostgreSQL's own CSV export of a SELECT, through psycopg."""
    import psycopg

    started = time.perf_counter()
    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with (
        psycopg.connect(_libpq(url)) as connection,
        connection.cursor() as cursor,
        open(out, "wb") as stream,
        cursor.copy(copy_sql) as copy,
    ):
        for data in copy:
            stream.write(data)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "import": _worker_import,
    "export": _worker_export,
    "copy-out": _worker_copy_out,
}


def run_worker(kind: str, *args: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# Databases ---------------------------------------------------------------------------------


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it (psycopg.connect)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Database:
    backend: str
    url: str
    path: Path | None = None  # the SQLite file
    schema: str | None = None  # the PostgreSQL schema


@contextmanager
def databases(backend: str, folder: Path) -> Iterator[Callable[[str], Database]]:
    """A factory of fresh, empty databases, all removed when the block ends."""
    schemas: list[str] = []
    admin = create_engine(POSTGRES_URL) if backend == "postgresql" else None

    def make(name: str) -> Database:
        if backend == "sqlite":
            path = folder / f"{name}.db"
            return Database("sqlite", f"sqlite:///{path}", path=path)
        assert admin is not None
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return Database("postgresql", url.render_as_string(hide_password=False), schema=schema)

    try:
        yield make
    finally:
        if admin is not None:
            with admin.begin() as connection:
                for schema in schemas:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def create_schema(database: Database) -> None:
    with writing(database.url):
        pass  # migrations run to head on first write


def _table_columns() -> dict[str, list[str]]:
    return {table.name: [c.name for c in table.columns] for table in metadata.sorted_tables}


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _read_chunks(cursor: Any, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    cursor.execute(sql)
    while chunk := cursor.fetchmany(BASELINE_CHUNK):
        yield [tuple(row) for row in chunk]


def baseline_sqlite(source: Database, target: Database) -> dict[str, Any]:
    """Every row of `source`, as ready tuples, into `target` by plain executemany: timed are
    the writes and the commit, not the reading."""
    assert source.path is not None
    assert target.path is not None
    reader = sqlite3.connect(source.path)
    writer = _sqlite_connect(target.path)
    seconds = 0.0
    facts = 0
    try:
        writer.execute("BEGIN IMMEDIATE")
        for table, columns in _table_columns().items():
            names = ", ".join(columns)
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _read_chunks(reader.cursor(), f"SELECT {names} FROM {table} ORDER BY id"):
                started = time.perf_counter()
                writer.executemany(insert, chunk)
                seconds += time.perf_counter() - started
                if table in FACT_TABLES:
                    facts += len(chunk)
        started = time.perf_counter()
        writer.execute("COMMIT")
        seconds += time.perf_counter() - started
    finally:
        reader.close()
        writer.close()
    return {"seconds": seconds, "facts": facts}


def baseline_postgresql(source: Database, target: Database) -> dict[str, Any]:
    """Every row of `source`, as ready tuples, into `target` by COPY FROM STDIN."""
    import psycopg

    seconds = 0.0
    facts = 0
    with (
        psycopg.connect(_libpq(source.url)) as reader,
        psycopg.connect(_libpq(target.url)) as writer,
    ):
        for table, columns in _table_columns().items():
            names = ", ".join(columns)
            json_columns = {
                i
                for i, column in enumerate(metadata.tables[table].columns)
                if isinstance(column.type, JSON)
            }
            with reader.cursor(name=f"read_{table}") as cursor:
                for chunk in _read_chunks(cursor, f"SELECT {names} FROM {table} ORDER BY id"):
                    if json_columns:
                        chunk = [
                            tuple(
                                json.dumps(v) if i in json_columns and v is not None else v
                                for i, v in enumerate(row)
                            )
                            for row in chunk
                        ]
                    started = time.perf_counter()
                    with (
                        writer.cursor() as cursor_out,
                        cursor_out.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
                    ):
                        for row in chunk:
                            copy.write_row(row)
                    seconds += time.perf_counter() - started
                    if table in FACT_TABLES:
                        facts += len(chunk)
        started = time.perf_counter()
        writer.commit()
        seconds += time.perf_counter() - started
    return {"seconds": seconds, "facts": facts}


# Export ------------------------------------------------------------------------------------


def _export_sql(name: str, dialect_name: str) -> str:
    """The SELECT of an export, with literals inlined, as the database's own tools take it."""
    from sqlalchemy.dialects import postgresql, sqlite

    item = next(item for item in export.exports() if item.name == name)
    dialect = sqlite.dialect() if dialect_name == "sqlite" else postgresql.dialect()
    return str(item.statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def native_export(database: Database, name: str, out: Path) -> dict[str, Any]:
    sql = _export_sql(name, database.backend)
    if database.backend == "sqlite":
        assert database.path is not None
        started = time.perf_counter()
        with out.open("wb") as stream:
            subprocess.run(
                ["sqlite3", "-csv", "-header", str(database.path), sql], stdout=stream, check=True
            )
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"seconds": seconds, "tool": "sqlite3 -csv", "peak_rss_mb_max_child": usage}
    figures = run_worker("copy-out", database.url, sql, str(out))
    figures["tool"] = "COPY (...) TO STDOUT WITH CSV"
    return figures


# Queries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    name: str
    view: facts.FactView
    filters: FactFilters


def probes(url: str) -> list[Probe]:
    """The common filters, with values picked from the middle of the loaded corpus."""
    with reading(url) as connection:
        trial_key, trial_id = connection.execute(
            text(
                "SELECT key, id FROM trials ORDER BY id LIMIT 1 "
                "OFFSET (SELECT count(*) / 2 FROM trials)"
            )
        ).one()
        intervention = connection.execute(
            text(
                "SELECT i.key, i.name FROM arm_interventions ai "
                "JOIN interventions i ON i.id = ai.intervention_id "
                "WHERE ai.trial_id = :t ORDER BY ai.id LIMIT 1"
            ),
            {"t": trial_id},
        ).one()
        kind = connection.execute(
            text(
                "SELECT kind FROM endpoints WHERE trial_id = :t AND kind <> 'other' "
                "ORDER BY id LIMIT 1"
            ),
            {"t": trial_id},
        ).scalar()
    kind = kind or "overall_survival"
    generic_name = re.sub(r"\s*\(\d+\)$", "", intervention.name)
    return [
        Probe("results --trial", "results_flat", FactFilters(trial=trial_key)),
        Probe(
            "results --intervention KEY",
            "results_flat",
            FactFilters(intervention=intervention.key),
        ),
        Probe(
            "results --trial --endpoint-kind",
            "results_flat",
            FactFilters(trial=trial_key, endpoint_kind=kind),
        ),
        Probe(
            "results --intervention KEY --endpoint-kind",
            "results_flat",
            FactFilters(intervention=intervention.key, endpoint_kind=kind),
        ),
        Probe("comparisons --trial", "comparisons_flat", FactFilters(trial=trial_key)),
        Probe("adverse-events --trial", "adverse_events_flat", FactFilters(trial=trial_key)),
        Probe(
            "adverse-events --trial --serious",
            "adverse_events_flat",
            FactFilters(trial=trial_key, serious=True),
        ),
        # Broad filters: thousands of rows at registry scale, so not held to 2 ms.
        Probe(
            "results --endpoint-kind",
            "results_flat",
            FactFilters(endpoint_kind=kind),
        ),
        Probe(
            "results --intervention NAME",
            "results_flat",
            FactFilters(intervention=generic_name),
        ),
    ]


def measure_queries(url: str, backend: str) -> list[dict[str, Any]]:
    measured = []
    with reading(url) as connection:
        for probe in probes(url):

            def run(probe: Probe = probe) -> int:
                return len(facts.fetch_facts(connection, probe.view, probe.filters))

            started = time.perf_counter()
            rows = run()
            first_ms = (time.perf_counter() - started) * 1000
            for _ in range(QUERY_WARMUPS - 1):
                run()
            timings = []
            for _ in range(QUERY_REPEATS):
                started = time.perf_counter()
                run()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            statement = facts.fact_statement(probe.view, probe.filters)
            compiled = str(
                statement.compile(
                    dialect=connection.dialect, compile_kwargs={"literal_binds": True}
                )
            )
            prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
            plan_rows = connection.exec_driver_sql(prefix + compiled).all()
            plan = [str(row[-1]).strip() for row in plan_rows]
            full_scans = [line for line in plan if FULL_SCAN.search(line)]
            measured.append(
                {
                    "query": probe.name,
                    "filters": {k: v for k, v in vars(probe.filters).items() if v is not None},
                    "rows": rows,
                    "first_run_ms": first_ms,
                    "p50_ms": statistics.median(timings),
                    "p95_ms": timings[int(0.95 * (len(timings) - 1))],
                    "target_applies": rows <= 200,  # under 2 ms at p95 for <= 200 rows
                    "plan": plan,
                    "fact_table_full_scans": full_scans,
                }
            )
    return measured


# The run ------------------------------------------------------------------------------------


def measure_imports(backend: str, url: str, corpus: Path, batch_size: int) -> dict[str, Any]:
    """The import of the corpus into an empty database, then its re-import unchanged."""
    print(f"[{backend}] import ...", file=sys.stderr, flush=True)
    imported = run_worker("import", url, str(corpus), str(batch_size))
    imported["facts_per_second"] = imported["facts"] / imported["seconds"]
    print(f"[{backend}] re-import of the unchanged corpus ...", file=sys.stderr, flush=True)
    again = run_worker("import", url, str(corpus), str(batch_size))
    return {
        "import": imported,
        "reimport": again,
        "reimport_speedup": imported["seconds"] / again["seconds"],
    }


def bench_backend(backend: str, corpus: Path, folder: Path, batch_size: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with databases(backend, folder) as make:
        main = make("main")
        figures |= measure_imports(backend, main.url, corpus, batch_size)
        imported = figures["import"]

        print(f"[{backend}] baseline write ...", file=sys.stderr, flush=True)
        target = make("baseline")
        create_schema(target)
        if backend == "sqlite":
            base = baseline_sqlite(main, target)
            base["method"] = "sqlite3 executemany of ready tuples"
        else:
            base = baseline_postgresql(main, target)
            base["method"] = "psycopg COPY FROM STDIN of ready tuples"
        base["facts_per_second"] = base["facts"] / base["seconds"]
        figures["import_baseline"] = base
        figures["import_ratio"] = imported["facts_per_second"] / base["facts_per_second"]

        print(f"[{backend}] export ...", file=sys.stderr, flush=True)
        empty = make("empty")
        create_schema(empty)
        out = folder / f"{backend}-empty.csv"
        figures["export_empty"] = run_worker("export", empty.url, "results_flat", str(out))
        figures["export"] = {}
        for name in ("results_flat", "results"):
            out = folder / f"{backend}-{name}.csv"
            ours = run_worker("export", main.url, name, str(out))
            ours["bytes"] = out.stat().st_size
            ours["rows_per_second"] = ours["rows"] / ours["seconds"]
            native_out = folder / f"{backend}-{name}-native.csv"
            native = native_export(main, name, native_out)
            native["bytes"] = native_out.stat().st_size
            native["rows_per_second"] = ours["rows"] / native["seconds"]
            figures["export"][name] = {
                "library": ours,
                "native": native,
                "ratio": native["seconds"] / ours["seconds"],
                "rss_over_empty_mb": ours["peak_rss_mb"] - figures["export_empty"]["peak_rss_mb"],
            }
            out.unlink()
            native_out.unlink()

        print(f"[{backend}] queries ...", file=sys.stderr, flush=True)
        if backend == "postgresql":
            # Fresh planner statistics, as autovacuum gathers them shortly after a bulk load;
            # without them the planner guesses row counts and picks hash joins and JIT.
            engine = create_engine(main.url)
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            engine.dispose()
        figures["queries"] = measure_queries(main.url, backend)
        print(f"[{backend}] web pages ...", file=sys.stderr, flush=True)
        figures["web"] = measure_web(main.url)
        with reading(main.url) as connection:
            figures["rows"] = table_counts(connection)
        if backend == "sqlite" and main.path is not None:
            figures["database_bytes"] = main.path.stat().st_size
    return figures


def print_table(result: dict[str, Any]) -> None:
    meta = result["corpus"]
    print(
        f"\ncorpus: {meta['records']} records, {meta['bytes'] / 1e6:.0f} MB JSON; "
        f"batch size {result['batch_size']}; run took {result['seconds']:.0f} s"
    )
    for backend, figures in result["backends"].items():
        imp, base = figures["import"], figures["import_baseline"]
        print(f"\n== {backend}: {imp['facts']:,} fact rows ==")
        print(f"{'measure':44} {'figure':>16} {'baseline':>16} {'ratio':>7}")
        print(
            f"{'import, fact rows/s (end to end)':44} {imp['facts_per_second']:>16,.0f} "
            f"{base['facts_per_second']:>16,.0f} {figures['import_ratio']:>7.2f}"
        )
        print(f"{'import, seconds':44} {imp['seconds']:>16.1f} {base['seconds']:>16.1f}")
        print(f"{'import, peak RSS MB':44} {imp['peak_rss_mb']:>16.0f}")
        again = figures["reimport"]
        print(
            f"{'re-import unchanged, seconds (speed-up)':44} {again['seconds']:>16.1f} "
            f"{imp['seconds']:>16.1f} {figures['reimport_speedup']:>7.1f}"
        )
        mapping = imp.get("mapping_process_peak_rss_mb_at_most", 0)
        print(f"{'import, mapping process peak RSS MB, at most':44} {mapping:>16.0f}")
        for name, item in figures["export"].items():
            print(
                f"{'export ' + name + ', rows/s':44} {item['library']['rows_per_second']:>16,.0f} "
                f"{item['native']['rows_per_second']:>16,.0f} {item['ratio']:>7.2f}"
            )
            print(
                f"{'export ' + name + ', peak RSS MB (over empty)':44} "
                f"{item['library']['peak_rss_mb']:>16.0f} "
                f"{'(+' + format(item['rss_over_empty_mb'], '.0f') + ')':>16}"
            )
        print(
            f"{'query':44} {'rows':>7} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'2 ms?':>6}  "
            "full scan of a fact table"
        )
        for query in figures["queries"]:
            scans = "; ".join(query["fact_table_full_scans"]) or "no"
            target = (
                "-" if not query["target_applies"] else "yes" if query["p95_ms"] < 2 else "MISS"
            )
            print(
                f"{query['query']:44} {query['rows']:>7} {query['first_run_ms']:>9.2f} "
                f"{query['p50_ms']:>8.2f} "
                f"{query['p95_ms']:>8.2f} {target:>6}  {scans}"
            )
        print_web(figures["web"])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000, help="studies in the corpus")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=500, help="studies per import batch")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        print(json.dumps(WORKERS[kind](*rest)))
        return {}
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    out = (
        args.out or HERE / "results" / f"bench-{args.records}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="evidencedb-bench-", dir=args.workdir))
    try:
        print(f"corpus of {args.records} records ...", file=sys.stderr, flush=True)
        corpus = write_corpus(scratch / "corpus", args.records, args.seed)
        result: dict[str, Any] = {
            "corpus": {"records": corpus.records, "files": corpus.files, "bytes": corpus.bytes},
            "seed": args.seed,
            "batch_size": args.batch_size,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "platform": platform.platform(),
                "load_average_at_start": os.getloadavg(),
            },
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "backends": {},
        }
        for backend in backends:
            result["backends"][backend] = bench_backend(
                backend, corpus.folder, scratch, args.batch_size
            )
        result["machine"]["load_average_at_end"] = os.getloadavg()
        result["seconds"] = time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {out}")
    return result


if __name__ == "__main__":
    main()
