"""The committed metafor_expected.json is what metafor_expected.R writes today.

Runs R (about 8 seconds: the script fits every model of the exactness tests), so only where
`Rscript` with metafor is installed (Debian: `apt-get install r-cran-metafor`); skipped with the
reason elsewhere. Numbers are compared to 1e-12: the script prints 15 significant digits.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import pytest

from tests.analysis.meta.expected import SCRIPT, expected


def _metafor_available() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(
        ["Rscript", "-e", "library(metafor)"], capture_output=True, text=True, check=False
    )
    return None if probe.returncode == 0 else "R has no metafor package"


def _differences(fresh: Any, committed: Any, path: str = "") -> list[str]:
    if isinstance(fresh, dict) and isinstance(committed, dict):
        if fresh.keys() != committed.keys():
            return [f"{path}: keys {sorted(fresh)} != {sorted(committed)}"]
        return [
            d for key in fresh for d in _differences(fresh[key], committed[key], f"{path}.{key}")
        ]
    if isinstance(fresh, list) and isinstance(committed, list):
        if len(fresh) != len(committed):
            return [f"{path}: {len(fresh)} items != {len(committed)}"]
        pairs = zip(fresh, committed, strict=True)
        return [d for i, (f, c) in enumerate(pairs) for d in _differences(f, c, f"{path}[{i}]")]
    numbers = (int, float)
    if isinstance(fresh, numbers) and isinstance(committed, numbers):
        same = math.isclose(fresh, committed, rel_tol=1e-12, abs_tol=1e-12)
        return [] if same else [f"{path}: {fresh} != {committed}"]
    return [] if fresh == committed else [f"{path}: {fresh!r} != {committed!r}"]


def test_the_committed_expectations_are_what_metafor_computes_today() -> None:
    reason = _metafor_available()
    if reason is not None:
        pytest.skip(reason)
    run = subprocess.run(
        ["Rscript", str(SCRIPT)], capture_output=True, text=True, check=True, timeout=300
    )
    fresh = json.loads(run.stdout)
    committed = expected()
    fresh.pop("metafor_version")
    version = tuple(int(part) for part in committed["metafor_version"].split("."))
    assert version >= (3, 8)
    committed = {key: value for key, value in committed.items() if key != "metafor_version"}
    assert _differences(fresh, committed) == []
