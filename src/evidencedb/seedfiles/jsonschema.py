"""The JSON Schema of a seed file, generated from the records, for editors and reviewers."""

from __future__ import annotations

from typing import Any

from evidencedb.records.trial_file import TrialFile


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a seed file, for editors (written to seeds/schema.json)."""
    return TrialFile.model_json_schema(by_alias=True)
