"""`evidencedb serve` as a user runs it: a real process that serves pages until stopped, one
line for a database that is not there, and no web code loaded for `--help`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.cli import installed_script, run_cli
from tests.support.environment import REPO, SEEDS

WEB_MODULES = ("fastapi", "starlette", "uvicorn", "jinja2", "evidencedb.web")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_pages_until_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    assert run_cli("load", str(SEEDS), db=url).exit_code == 0
    port = _free_port()
    server = subprocess.Popen(
        [str(installed_script()), "--db", url, "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert server.stderr is not None
        assert (
            server.stderr.readline().strip()
            == f"serving on http://127.0.0.1:{port}/ (Ctrl-C stops)"
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.1)
        assert home.status_code == 200
        assert "What the database holds" in home.text
        api = httpx.get(f"http://127.0.0.1:{port}/api/trials", timeout=5)
        assert [trial["key"] for trial in api.json()] == [
            "blinatumomab-infant-kmt2a-all",
            "interfant-06",
        ]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert server.returncode == 0


def test_serve_without_a_database_is_one_line(tmp_path: Path) -> None:
    outcome = run_cli("serve", db=str(tmp_path / "missing.db"))
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith(f"error: no database at {tmp_path / 'missing.db'}")
    assert len(outcome.stderr.splitlines()) == 1


def test_serve_on_an_address_it_cannot_listen_on_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    assert run_cli("load", str(SEEDS), db=url).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("serve", "--port", str(port), db=url)
    unknown = run_cli("serve", "--host", "' OR '1'='1", db=url)
    assert busy.exit_code == 1
    assert busy.stderr == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: cannot listen on ' OR '1'='1:8000: ")
    assert len(unknown.stderr.splitlines()) == 1


def test_help_loads_no_web_code() -> None:
    code = (
        "import sys\n"
        "from evidencedb.cli import main\n"
        "for args in (['--help'], ['serve', '--help']):\n"
        "    sys.argv = ['evidencedb', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, exit.code\n"
        f"prefixes = {WEB_MODULES!r}\n"
        "bad = [n for n in sys.modules if any(n == p or n.startswith(p + '.') for p in prefixes)]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    assert "Serve a read-only web view" in done.stdout
