"""The JSON Schemas of seed files (trials, saved analyses), generated from the records."""

from __future__ import annotations

from typing import Any

from evidencedb.records.analysis_file import AnalysisFile
from evidencedb.records.trial_file import TrialFile


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a seed file, for editors (written to seeds/schema.json)."""
    return TrialFile.model_json_schema(by_alias=True)


def analysis_json_schema() -> dict[str, Any]:
    """The JSON Schema of a saved-analysis file (written to seeds/analyses/schema.json)."""
    return AnalysisFile.model_json_schema(by_alias=True)
