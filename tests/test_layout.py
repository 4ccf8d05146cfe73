"""The layout's rules that no linter checks: no module of `src/` over 400 lines."""

from __future__ import annotations

from tests.support.environment import REPO

MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    modules = sorted((REPO / "src").rglob("*.py"))
    assert len(modules) > 100  # the tree is there: the check below is not vacuous
    lengths = {
        str(module.relative_to(REPO)): len(module.read_text(encoding="utf-8").splitlines())
        for module in modules
    }
    over = {name: lines for name, lines in lengths.items() if lines > MAX_LINES}
    assert not over, f"split these modules (at most {MAX_LINES} lines): {over}"
