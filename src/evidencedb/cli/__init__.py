"""The `evidencedb` command: a thin layer over the library.

Data goes to stdout, messages and errors to stderr. Exit status: 0 success, 1 a user error
(one line each, no traceback), 2 a usage error (Click's own).
"""

from __future__ import annotations

from evidencedb.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
