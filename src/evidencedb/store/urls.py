"""Which database a command uses when none is named: the default URL and the variable naming one.

Kept apart from `engine` so that the CLI can name them in `--help` without importing
SQLAlchemy, which `--help` and `--version` never use.
"""

from __future__ import annotations

DEFAULT_URL = "sqlite:///evidence.db"
URL_ENVIRONMENT_VARIABLE = "EVIDENCEDB_URL"
