"""Where the repository, its seeds and the shared test data are, and whether this is CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_shared() -> Path:
    """The shared test data beside the repository; skips the test where it is missing, except
    under CI=true, where that fails it."""
    if SHARED.is_dir():
        return SHARED
    if IN_CI:
        pytest.fail(f"{SHARED} is missing (required under CI=true)")
    pytest.skip(f"{SHARED} is not beside the repository")
