"""Security: what SECURITY.md promises, tested.

- Filters and keys are data: SQL-injection strings fed to every option and argument of every
  query command match nothing, change nothing, and never appear in the SQL text sent to the
  database (only among its bound parameters).
- `evidencedb sql` cannot write, attach files or call functions that touch the filesystem:
  SQLite (read-only connection and an authorizer) and PostgreSQL (read-only transaction,
  pg_read_all_data).
- No CSV cell of any export, or of any command's `--format csv`, is a spreadsheet formula.
- YAML is read with a safe loader: Python tags never construct anything, and are refused.
- `export csv --out` writes what the user named and nothing else: symlinks in the way are
  replaced, not followed; export names are not paths.
- A database URL's password never appears in output, messages or logs.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import logging
import re
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from typer.core import TyperGroup
from typer.testing import CliRunner

from evidencedb.cli import app
from evidencedb.query.export import export_names
from evidencedb.seedfiles import located_yaml
from tests.support.cli import run_cli
from tests.support.database_content import content
from tests.support.databases import POSTGRES_URL, TestDatabase, postgres_scratch, require_postgres
from tests.support.environment import REPO, SEEDS

BLINATUMOMAB = "blinatumomab-infant-kmt2a-all"

# --------------------------------------------------------------------------------------------
# Filters and keys are data.

HOSTILE = ["' OR '1'='1", "x'; DROP TABLE results; --') UNION SELECT key FROM trials --", "%"]


@pytest.fixture
def sqlite_loaded(sqlite_database: TestDatabase) -> TestDatabase:
    outcome = run_cli("load", str(SEEDS), db=sqlite_database)
    assert outcome.exit_code == 0, outcome.stderr
    return sqlite_database


# Every command of the CLI is a query command (its options and arguments are fed HOSTILE) or
# is listed here with the reason it is not; a new command fails the test until it is sorted.
NOT_QUERIES = {
    "load": "reads files, not filters",
    "validate": "reads files",
    "schema": "writes the JSON Schema",
    "summary": "no options",
    "sql": "its argument is SQL by design (see the sql tests)",
    "check": "--seeds is a folder",
    "db upgrade": "a revision, checked by Alembic",
    "db downgrade": "a revision, checked by Alembic",
    "db current": "no options",
    "import ctgov": "reads files",
    "serve": "starts a server; its parameters are fuzzed through the API (tests/web)",
}
# Output format, output path, and the database URL that every command takes after its name.
NOT_FILTERS = {"fmt", "out", "command_database_url"}
# Hostile values that a filter finds as data: `--text` matches words, and "%" is a word of the
# seed quotes ("93.3%"), found literally, not as a wildcard.
FOUND_AS_WORDS = {("--text", "%")}


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, command

    yield from walk(typer.main.get_command(app), ())


def _hostile_calls(tmp: Path, values: list[str]) -> list[tuple[str, list[str]]]:
    """(label, argv) for each query command, each option or argument, each hostile value."""
    calls = []
    for path, command in _commands():
        name = " ".join(path)
        if name in NOT_QUERIES:
            continue
        names = {param.name for param in command.params}
        base = [*path]
        if "trial" in names and name == "compare":
            base.append(BLINATUMOMAB)  # its positional argument, when testing an option
        if "out" in names and name == "plot forest":
            base += ["--out", str(tmp / "forest.png")]
        if "fmt" in names:
            base += ["--format", "json"]
        for param in command.params:
            if param.name in NOT_FILTERS or getattr(param, "is_flag", False):
                continue
            for value in values:
                if param.param_type_name == "argument":
                    argv = [*path, value]
                    if "fmt" in names:
                        argv += ["--format", "json"]
                else:
                    argv = [*base, param.opts[0], value]
                calls.append((f"{name} {param.opts[0]}={value!r}", argv))
    return calls


def test_every_command_is_sorted() -> None:
    names = {" ".join(path) for path, _ in _commands()}
    queries = names - set(NOT_QUERIES)
    assert queries >= {"trials", "trial", "results", "comparisons", "adverse-events", "compare"}
    assert set(NOT_QUERIES) <= names, "NOT_QUERIES names a command that no longer exists"


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The SQL text of every statement sent to any database while the test runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_injection_strings_in_every_filter_are_data(
    loaded: TestDatabase, tmp_path: Path, statements: list[str]
) -> None:
    before = content(loaded)
    # Every value on SQLite; on PostgreSQL (slower per call) the tautology.
    values = HOSTILE if loaded.backend == "sqlite" else HOSTILE[:1]
    calls = _hostile_calls(tmp_path, values)
    assert len(calls) > 40 * len(values)
    for label, argv in calls:
        statements.clear()
        outcome = run_cli(*argv, db=loaded)  # any other exception than a user error fails here
        assert "Traceback" not in outcome.stderr, label
        assert outcome.exit_code in (0, 1, 2), (label, outcome.stderr)
        value = argv[-1] if argv[-2] != "--format" else argv[-3]
        option = argv[-2] if argv[-2] != "--format" else argv[-4]
        matches_nothing = (option, value) not in FOUND_AS_WORDS
        if outcome.exit_code == 0 and outcome.stdout.lstrip().startswith("[") and matches_nothing:
            assert json.loads(outcome.stdout) == [], f"{label} matched rows"
        leaked = [sql for sql in statements if value in sql and value not in ("%", "_", "\\")]
        assert not leaked, f"{label}: the value is in the SQL text, not a bound parameter"
    assert content(loaded) == before


def test_the_injection_test_would_notice_an_injection(sqlite_loaded: TestDatabase) -> None:
    """The check above is not vacuous: the same tautology, in SQL text, matches every row."""
    statement = "SELECT key FROM trials WHERE key = '' OR '1'='1'"
    outcome = run_cli("sql", statement, db=sqlite_loaded)
    assert outcome.exit_code == 0
    assert BLINATUMOMAB in outcome.stdout


# --------------------------------------------------------------------------------------------
# `evidencedb sql` cannot write, attach or touch the filesystem.


@pytest.fixture
def server_writable(tmp_path: Path) -> Path:
    """A folder the PostgreSQL server (another user) could write to, were it allowed to."""
    folder = tmp_path / "server"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def _refused(database: TestDatabase, statement: str, *, as_superuser: bool = False) -> str:
    """Run `sql` through the ordinary login (through the superuser one, which the tests' own
    URL uses, only when asked) and assert that it is refused and changed nothing."""
    before = content(database)
    login = database if as_superuser else database.as_user()
    outcome = run_cli("sql", statement, "--format", "json", db=login)
    assert outcome.exit_code == 1, f"{statement}: {outcome.stdout}"
    assert outcome.stderr.startswith("error: SQL refused:"), outcome.stderr
    assert content(database) == before
    return outcome.stderr


SQLITE_FILE_ATTACKS = [
    "SELECT readfile('{dir}/victim')",
    "SELECT writefile('{dir}/written', 'x')",
    "SELECT load_extension('{dir}/extension')",
    "SELECT load_extension('{dir}/extension', 'entry')",
    "SELECT edit('x', 'vi')",
    "SELECT fts3_tokenizer('simple')",
    "ATTACH DATABASE '{dir}/attached.db' AS other",
    "ATTACH DATABASE 'file:{dir}/uri.db?mode=rwc' AS other",
    "VACUUM INTO '{dir}/copy.db'",
    "SELECT * FROM pragma_database_list",
    "PRAGMA main.journal_mode = DELETE",
    "CREATE TEMP TABLE scratch AS SELECT 1",
    "CREATE TEMP TRIGGER t AFTER INSERT ON trials BEGIN SELECT 1; END",
    "REPLACE INTO sources (key, kind, title) VALUES ('x', 'other', 'x')",
]


def test_sqlite_sql_cannot_touch_files(
    sqlite_database: TestDatabase, server_writable: Path
) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    (server_writable / "victim").write_text("secret", encoding="utf-8")
    for attack in SQLITE_FILE_ATTACKS:
        stderr = _refused(sqlite_database, attack.format(dir=server_writable))
        assert "secret" not in stderr, attack
        assert sorted(path.name for path in server_writable.iterdir()) == ["victim"], attack


POSTGRES_FILE_ATTACKS = [
    "SELECT pg_read_file('PG_VERSION')",
    "SELECT pg_read_file('/etc/passwd', 0, 100)",
    "SELECT pg_read_binary_file('PG_VERSION')",
    "SELECT pg_ls_dir('.')",
    "SELECT * FROM pg_ls_dir('.') AS f",
    "SELECT pg_stat_file('PG_VERSION')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_export(1, '{dir}/exported')",
    "COPY (SELECT 1) TO PROGRAM 'touch {dir}/pwned'",
    "COPY (SELECT 1) TO '{dir}/copied'",
    "COPY sources FROM '/etc/passwd'",
    "CREATE EXTENSION IF NOT EXISTS file_fdw",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "SELECT pg_reload_conf()",
]


def _large_objects(database: TestDatabase) -> set[int]:
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return set(
                connection.execute(text("SELECT oid FROM pg_largeobject_metadata")).scalars()
            )
    finally:
        engine.dispose()


def _unlink(database: TestDatabase, oids: set[int]) -> None:
    engine = create_engine(database.url)
    try:
        with engine.begin() as connection:
            for oid in oids:
                connection.execute(text("SELECT lo_unlink(:oid)"), {"oid": oid})
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_sql_cannot_touch_files(loaded: TestDatabase, server_writable: Path) -> None:
    for attack in POSTGRES_FILE_ATTACKS:
        objects = _large_objects(loaded)
        try:
            stderr = _refused(loaded, attack.format(dir=server_writable))
        finally:
            created = _large_objects(loaded) - objects
            _unlink(loaded, created)
        assert "root:" not in stderr, attack
        assert not created, f"{attack} created large objects"
        assert list(server_writable.iterdir()) == [], attack


@pytest.mark.parametrize("statement", ["COPY trials TO STDOUT", "COPY (SELECT 1) TO STDOUT"])
@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_sql_copy_to_stdout_is_refused(loaded: TestDatabase, statement: str) -> None:
    _refused(loaded, statement)


def _superuser(database: TestDatabase) -> bool:
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")
                ).scalar()
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_sql_refuses_superuser_logins(loaded: TestDatabase) -> None:
    """A role switch is no boundary for a superuser session: the statement could switch back
    (set_config('role', session_user, true)) and run dynamic SQL that reads server files. So
    `sql` refuses such a login before running anything; an ordinary login runs the same
    statement with no more than its own rights."""
    if not _superuser(loaded):
        pytest.skip("the test login is not a superuser")
    statement = (
        "SELECT set_config('role', session_user, true) AS r, "
        "query_to_xml('SELECT pg_read_file(''PG_VERSION'') AS f', true, false, '') AS x"
    )
    stderr = _refused(loaded, statement, as_superuser=True)
    assert "is a superuser" in stderr
    assert "read-only login" in stderr
    assert "permission denied" in _refused(loaded, statement)
    plain = run_cli("sql", "SELECT 1 AS one", db=loaded)
    assert plain.exit_code == 1
    assert "is a superuser" in plain.stderr


@pytest.mark.parametrize(
    "statement", ["SELECT lo_from_bytea(0, 'written by sql')", "SELECT lo_create(0)"]
)
@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_sql_cannot_write_large_objects(loaded: TestDatabase, statement: str) -> None:
    objects = _large_objects(loaded)
    try:
        run_cli("sql", statement, db=loaded.as_user())
    finally:
        created = _large_objects(loaded) - objects
        _unlink(loaded, created)
    assert not created, f"{statement} left {len(created)} large object(s) in the database"


# --------------------------------------------------------------------------------------------
# No CSV cell is a formula.

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1)", '=HYPERLINK("http://x")', "=cmd|' /C calc'!A0"]
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _formula_seed() -> str:
    """A valid seed file whose every free text starts like a formula."""
    formulas = iter(FORMULAS * 40)

    def f() -> str:
        return json.dumps(next(formulas))

    return f"""\
schema_version: 1
sources:
  - key: formula-source
    kind: journal_article
    title: {f()}
    authors: {f()}
    citation: {f()}
    journal: {f()}
interventions:
  - key: formula-drug
    name: {f()}
    kind: drug
    target: {f()}
    class: {f()}
    description: {f()}
trial:
  key: formula-trial
  title: {f()}
  acronym: {f()}
  design: randomized
  status: {f()}
  condition: {f()}
  population: {f()}
  min_age: {f()}
  max_age: {f()}
  countries: [{f()}, {f()}]
  sponsor: {f()}
  conclusions: {f()}
  notes: {f()}
  source: formula-source
  quote: {f()}
  locator: {f()}
  identifiers:
    - registry: other
      value: {f()}
arms:
  - key: treated
    label: {f()}
    role: experimental
    description: {f()}
    n_enrolled: 20
    source: formula-source
    quote: {f()}
    interventions:
      - intervention: formula-drug
        dose: {f()}
        route: {f()}
        schedule: {f()}
        timing: {f()}
  - key: control
    label: {f()}
    role: placebo_comparator
    n_enrolled: 20
    source: formula-source
    quote: {f()}
endpoints:
  - key: response
    name: {f()}
    kind: response
    measure: proportion
    timepoint_value: 1
    timepoint_unit: {f()}
    time_frame: {f()}
    definition: {f()}
    assessment_method: {f()}
    source: formula-source
    quote: {f()}
results:
  - endpoint: response
    arm: treated
    subgroup: {f()}
    category: {f()}
    value: 50
    unit: "%"
    numerator: 10
    denominator: 20
    note: {f()}
    source: formula-source
    quote: {f()}
    locator: {f()}
  - endpoint: response
    arm: control
    subgroup: {f()}
    category: {f()}
    value: 25
    unit: "%"
    numerator: 5
    denominator: 20
    source: formula-source
    quote: {f()}
comparisons:
  - endpoint: response
    arm: treated
    comparator: control
    label: {f()}
    measure: risk_difference
    measure_label: {f()}
    value: -0.25
    method: {f()}
    note: {f()}
    source: formula-source
    quote: {f()}
adverse_events:
  - arm: treated
    term: {f()}
    organ_system: {f()}
    category: serious
    vocabulary: {f()}
    participants_affected: 1
    participants_at_risk: 20
    time_frame: {f()}
    note: {f()}
    source: formula-source
    quote: {f()}
"""


def _formula_cells(text_: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text_))
        for cell in row
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not _PLAIN_NUMBER.match(cell)
    ]


@pytest.fixture
def formulas(loaded: TestDatabase, tmp_path: Path) -> TestDatabase:
    seed = tmp_path / "formula.yaml"
    seed.write_text(_formula_seed(), encoding="utf-8")
    outcome = run_cli("load", str(seed), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    study = json.loads(
        (REPO / "tests" / "registries" / "ctgov" / "data" / "NCT09000003.json").read_text()
    )
    study["protocolSection"]["identificationModule"]["briefTitle"] = "=1+1"
    (tmp_path / "study.json").write_text(json.dumps(study), encoding="utf-8")
    outcome = run_cli("import", "ctgov", str(tmp_path / "study.json"), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    return loaded


def test_no_exported_cell_is_a_formula(formulas: TestDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    assert run_cli("export", "csv", "--out", str(folder), db=formulas).exit_code == 0
    neutralised = 0
    for name in export_names():
        written = (folder / f"{name}.csv").read_text(encoding="utf-8")
        assert _formula_cells(written) == [], name
        neutralised += written.count("'=") + written.count("'+") + written.count("'@")
        single = run_cli("export", "csv", name, db=formulas)
        assert single.exit_code == 0
        assert _formula_cells(single.stdout) == [], name
    assert neutralised > 50  # the formulas were there, and were neutralised
    comparisons = (folder / "comparisons.csv").read_text(encoding="utf-8")
    assert ",-0.25," in comparisons  # a negative number stays a number


CSV_COMMANDS = [
    ["trials"],
    ["trial", "formula-trial"],
    ["results"],
    ["comparisons"],
    ["adverse-events"],
    ["compare", "formula-trial"],
    ["check"],
    ["sql", "SELECT * FROM trials"],
    ["sql", "SELECT '=1+1' AS x, '@x' AS y, -1 AS z"],
]


def test_no_csv_output_cell_is_a_formula(formulas: TestDatabase) -> None:
    for argv in CSV_COMMANDS:
        login = formulas.as_user() if argv[0] == "sql" else formulas
        outcome = run_cli(*argv, "--format", "csv", db=login)
        assert outcome.exit_code in (0, 1), outcome.stderr  # check exits 1 on error findings
        assert outcome.stdout.strip(), argv
        assert _formula_cells(outcome.stdout) == [], argv


# --------------------------------------------------------------------------------------------
# YAML: a safe loader only.

_VALID = """\
schema_version: 1
sources:
  - key: s
    kind: other
    title: S
trial:
  key: t
  title: T
  countries: [NL]
  source: s
  quote: q
"""
# Where a Python tag goes, as (text replaced, replacement); {marker} is a file that a
# constructed object would create.
PYTHON_TAGS = {
    "scalar": ("  title: T\n", "  title: !!python/object/apply:os.system 'touch {marker}'\n"),
    "name": ("  title: T\n", "  title: !!python/name:os.system ''\n"),
    "sequence": (
        "  countries: [NL]\n",
        "  countries: !!python/object/apply:os.system ['touch {marker}']\n",
    ),
    "mapping": ("trial:\n", "trial: !!python/object/new:os.system\n"),
    "list-item": (
        "  - key: s\n    kind",
        "  - !!python/object:builtins.dict\n    key: s\n    kind",
    ),
}


def _tagged(tmp_path: Path, where: str) -> tuple[Path, Path]:
    marker = tmp_path / "marker"
    old, new = PYTHON_TAGS[where]
    assert old in _VALID
    path = tmp_path / f"{where}.yaml"
    path.write_text(_VALID.replace(old, new.format(marker=marker), 1), encoding="utf-8")
    return path, marker


def test_the_untagged_file_loads(sqlite_database: TestDatabase, tmp_path: Path) -> None:
    """The tag tests start from a valid file: only the tag can make them refused."""
    path = tmp_path / "valid.yaml"
    path.write_text(_VALID, encoding="utf-8")
    outcome = run_cli("load", str(path), db=sqlite_database)
    assert outcome.exit_code == 0, outcome.stderr


@pytest.mark.parametrize("where", sorted(PYTHON_TAGS))
def test_python_tags_never_construct_anything(
    sqlite_database: TestDatabase, tmp_path: Path, where: str
) -> None:
    path, marker = _tagged(tmp_path, where)
    run_cli("load", str(path), db=sqlite_database)
    run_cli("validate", str(path))
    assert not marker.exists()


@pytest.mark.parametrize(
    "where",
    [
        "scalar",
        "name",
        *(pytest.param(where) for where in ("sequence", "mapping", "list-item")),
    ],
)
def test_python_tags_are_refused(sqlite_database: TestDatabase, tmp_path: Path, where: str) -> None:
    path, _ = _tagged(tmp_path, where)
    before = content(sqlite_database)
    outcome = run_cli("load", str(path), db=sqlite_database)
    assert outcome.exit_code == 1, f"{where}: the file was loaded"
    assert outcome.stderr.startswith(f"error: {path}:")
    assert content(sqlite_database) == before


def test_the_reader_is_a_safe_loader() -> None:
    assert located_yaml.SafeLoader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None))
    unsafe = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
    unsafe_loaders = {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader"}
    found = []
    for path in sorted((REPO / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
                and node.attr in unsafe | unsafe_loaders
            ):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} yaml.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                names = {alias.name for alias in node.names}
                if names & (unsafe | unsafe_loaders):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} from yaml import ...")
    assert found == []


# --------------------------------------------------------------------------------------------
# `export csv --out`: what the user named, nothing else.


def test_export_folder_replaces_symlinks_instead_of_following_them(
    sqlite_loaded: TestDatabase, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "exports"
    folder.mkdir()
    victims = {}
    for name in ("results", "trials", "data_dictionary"):
        victim = outside / f"{name}-victim.txt"
        victim.write_text("keep me", encoding="utf-8")
        (folder / f"{name}.csv").symlink_to(victim)
        victims[name] = victim
    (folder / "comparisons.csv").symlink_to(outside / "does-not-exist.csv")  # dangling
    outcome = run_cli("export", "csv", "--out", str(folder), db=sqlite_loaded)
    assert outcome.exit_code == 0, outcome.stderr
    assert all(victim.read_text(encoding="utf-8") == "keep me" for victim in victims.values())
    assert sorted(path.name for path in outside.iterdir()) == sorted(
        victim.name for victim in victims.values()
    )
    for name in export_names():
        written = folder / f"{name}.csv"
        assert written.is_file(), name
        assert not written.is_symlink(), name
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [*(f"{name}.csv" for name in export_names()), "datapackage.json"]
    )  # no temporary file left behind


def test_export_file_replaces_a_symlink_instead_of_following_it(
    sqlite_loaded: TestDatabase, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "results.csv"
    link.symlink_to(victim)
    outcome = run_cli("export", "csv", "results_flat", "--out", str(link), db=sqlite_loaded)
    assert outcome.exit_code == 0, outcome.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8").startswith("trial_key,")


def test_export_names_are_not_paths(sqlite_loaded: TestDatabase) -> None:
    for name in ["../../etc/passwd", "/tmp/results_flat", "results_flat/../../x", "x.csv"]:
        outcome = run_cli("export", "csv", name, db=sqlite_loaded)
        assert outcome.exit_code == 1
        assert outcome.stderr.startswith(f"error: nothing to export named {name!r}")


@pytest.mark.parametrize("where", ["parent-is-a-file", "existing-folder", "under-a-file"])
def test_unwritable_export_path_is_a_user_error(
    sqlite_loaded: TestDatabase, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    argv = {  # a missing parent folder is created (see tests/analysis/test_compare_and_plot.py)
        "parent-is-a-file": ["results_flat", "--out", str(tmp_path / "a-file" / "x.csv")],
        "existing-folder": ["results_flat", "--out", str(tmp_path / "a-folder")],
        "under-a-file": ["--out", str(tmp_path / "a-file" / "exports")],
    }[where]
    outcome = run_cli("export", "csv", *argv, db=sqlite_loaded)
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("error: ")


# --------------------------------------------------------------------------------------------
# A URL's password never shows.

PASSWORD = "Pw-" + uuid.uuid4().hex[:12]


def _with_password(url: str, **changes: Any) -> str:
    parsed = make_url(url).set(password=PASSWORD, **changes)
    return parsed.render_as_string(hide_password=False)


def _invoke(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI in-process, catching anything, and return the exit code and everything a
    user could see: stdout, stderr and the traceback, were there one."""
    result = CliRunner().invoke(app, argv, env=env, catch_exceptions=True)
    seen = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        seen += "".join(traceback.format_exception(result.exception))
    return result.exit_code, seen


COMMANDS = [
    ["summary"],
    ["trials"],
    ["sql", "SELECT 1"],
    ["db", "current"],
    ["db", "upgrade"],
    ["load", str(SEEDS)],
    ["export", "csv", "results_flat"],
]


def _empty_schema() -> Iterator[str]:
    with postgres_scratch("SCHEMA", "t_") as schema:
        yield schema


empty_schema = pytest.fixture(_empty_schema)


@pytest.mark.postgres
def test_password_masked_when_the_database_lacks_the_schema(empty_schema: str) -> None:
    url = make_url(_with_password(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={empty_schema}"}
    )
    text_url = url.render_as_string(hide_password=False)
    for argv in (["summary"], ["trials"], ["sql", "SELECT 1"]):
        code, seen = _invoke(["--db", text_url, *argv])
        assert code == 1, seen
        assert PASSWORD not in seen
        assert "***" in seen
        assert "no evidencedb schema" in seen


@pytest.mark.postgres
def test_password_masked_in_success_messages(empty_schema: str) -> None:
    url = make_url(_with_password(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={empty_schema}"}
    )
    code, seen = _invoke(["--db", url.render_as_string(hide_password=False), "db", "upgrade"])
    assert code == 0, seen
    assert PASSWORD not in seen
    assert ":***@" in seen


UNREACHABLE = {
    "closed port": {"host": "127.0.0.1", "port": 1},
    "unknown database": {"database": "evidencedb_no_such_database"},
    "unknown role": {"username": "evidencedb_no_such_role"},
}


@pytest.mark.parametrize("case", sorted(UNREACHABLE))
def test_password_never_shows_when_connecting_fails(case: str) -> None:
    if case != "closed port":
        require_postgres()
    url = _with_password(POSTGRES_URL, **UNREACHABLE[case])
    for argv in COMMANDS:
        code, seen = _invoke(["--db", url, *argv])
        assert code != 0
        assert PASSWORD not in seen, argv
        code, seen = _invoke(argv, env={"EVIDENCEDB_URL": url})
        assert PASSWORD not in seen, argv


@pytest.mark.parametrize("case", sorted(UNREACHABLE))
def test_unreachable_database_is_one_masked_line(case: str) -> None:
    if case != "closed port":
        require_postgres()
    url = _with_password(POSTGRES_URL, **UNREACHABLE[case])
    for argv in COMMANDS:
        code, seen = _invoke(["--db", url, *argv])
        assert code == 1, seen
        assert "Traceback" not in seen, seen
        assert seen.startswith("error: "), seen
        assert ":***@" in seen, seen


@pytest.mark.parametrize(
    "url",
    [
        f"post gres://user:{PASSWORD}@localhost/db",
        f"postgresql://user:{PASSWORD}@localhost:notaport/db",
    ],
    ids=["bad-scheme", "bad-port"],
)
def test_unparseable_url_never_shows_its_password(url: str) -> None:
    code, seen = _invoke(["--db", url, "summary"])
    assert code == 1, seen
    assert seen.startswith("error: "), seen
    assert PASSWORD not in seen


def test_help_never_shows_the_password_of_the_environment() -> None:
    url = f"postgresql://user:{PASSWORD}@127.0.0.1:1/db"
    for path, _ in [((), None), *_commands()]:
        code, seen = _invoke([*path, "--help"], env={"EVIDENCEDB_URL": url})
        assert code == 0, (path, seen)
        assert PASSWORD not in seen, path


def test_logs_never_show_the_password(caplog: pytest.LogCaptureFixture) -> None:
    """With every logger at DEBUG (SQLAlchemy's engine and pool, Alembic, psycopg), running
    commands against reachable and unreachable URLs logs no password."""
    for name in ("", "sqlalchemy", "alembic", "psycopg", "evidencedb"):
        caplog.set_level(logging.DEBUG, logger=name)  # SQLAlchemy sets its own to WARNING
    urls = [_with_password(POSTGRES_URL, host="127.0.0.1", port=1)]
    with contextlib.ExitStack() as stack:
        if _reachable():
            schema = stack.enter_context(contextlib.contextmanager(_empty_schema)())
            reachable = make_url(_with_password(POSTGRES_URL)).update_query_dict(
                {"options": f"-csearch_path={schema}"}
            )
            urls += [
                _with_password(POSTGRES_URL, database="evidencedb_no_such_database"),
                reachable.render_as_string(hide_password=False),
            ]
        for url in urls:
            for argv in COMMANDS:
                _invoke(["--db", url, *argv])
    leaked = [record.getMessage() for record in caplog.records if PASSWORD in record.getMessage()]
    assert leaked == []
    if len(urls) > 1:
        assert len(caplog.records) > 100  # the loggers did run: statements, pool, Alembic


def _reachable() -> bool:
    try:
        require_postgres()
    except pytest.skip.Exception:
        return False
    return True
