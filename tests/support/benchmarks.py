"""The scripts of benchmarks/ imported as modules, for the tests that run them small."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.support.environment import REPO


def benchmark_module(name: str) -> ModuleType:
    """A module of benchmarks/ (a folder of scripts, not a package)."""
    qualified = f"_benchmarks_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module
