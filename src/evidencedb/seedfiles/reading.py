"""Seed files read and validated into bundles, every problem of every file in one pass.

A file whose top level has `analysis` is a saved meta-analysis (seeds/analyses/*.yaml); every
other file is a trial file.

A file with a schema error still has its valid part checked: the items that failed are set
aside (their keys remembered, so that nothing referring to them is called unknown) and the
rest is validated, so that its duplicate facts, unknown references and missing quotes are
reported in the same run as the schema errors, not one run later. Such a partial bundle is
only ever checked, never loaded: any problem refuses the whole load.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evidencedb.enums import SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.analysis_file import AnalysisBundle, AnalysisFile, analysis_problems
from evidencedb.records.bundle import Bundle, DeclaredKeys, pydantic_problems
from evidencedb.records.input_paths import expand_paths
from evidencedb.records.trial_file import TrialFile, duplicate_facts, local_problems
from evidencedb.seedfiles.located_yaml import LocatedDocument, read_yaml

SEED_SUFFIXES = (".yaml", ".yml")
PERCENT_SPELLINGS = frozenset({"%", "percent", "per cent", "percentage", "percentages"})
# The sections of a seed file that are lists of items, each validated on its own when the
# whole file is not valid.
_ITEM_SECTIONS = (
    "sources",
    "interventions",
    "arms",
    "endpoints",
    "results",
    "comparisons",
    "adverse_events",
)
# Sections whose items declare a key that other items (here or in other files) refer to.
_DECLARING_SECTIONS = ("sources", "interventions", "arms", "endpoints")


@dataclass
class SeedReading:
    """Seed files read: the bundles of valid (or partly valid) files, every problem found in
    them, and the keys declared by items that failed validation (`DeclaredKeys`)."""

    bundles: list[Bundle] = field(default_factory=list)
    analyses: list[AnalysisBundle] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unvalidated: DeclaredKeys = field(default_factory=dict)


def read_seeds(paths: Iterable[Path]) -> SeedReading:
    """Parse and validate seed files, collecting every problem instead of raising."""
    reading = SeedReading()
    files = list(expand_paths(paths, SEED_SUFFIXES))
    if not files:
        raise ValidationFailed(
            [Problem(", ".join(map(str, paths)), None, "", "no seed files found")]
        )
    for path in files:
        try:
            document = read_yaml(path)
            if isinstance(document.data, dict) and "analysis" in document.data:
                reading.analyses.append(validate_analysis(document))
                continue
        except ValidationFailed as failure:
            reading.problems.extend(failure.problems)
            continue
        bundle = _validate_document(document, reading)
        if bundle is not None:
            bundle.base_dir = path.parent
            reading.bundles.append(bundle)
    return reading


def validate_analysis(document: LocatedDocument) -> AnalysisBundle:
    """Validate one parsed saved-analysis document, reporting every problem it has at once."""
    try:
        data = AnalysisFile.model_validate(document.data)
    except ValidationError as error:
        raise ValidationFailed(pydantic_problems(error, document.problem)) from None
    bundle = AnalysisBundle(data, document.file, document.line_of)
    local = [bundle.problem(location, message) for location, message in analysis_problems(data)]
    if local:
        raise ValidationFailed(local)
    return bundle


def read_seed_files(paths: Iterable[Path]) -> list[Bundle]:
    """Parse and validate seed files; every problem of every file is reported in one pass
    (only what the files show by themselves: see `operations.load` for the references)."""
    reading = read_seeds(paths)
    if reading.problems:
        raise ValidationFailed(reading.problems)
    return reading.bundles


def _validate_document(document: LocatedDocument, reading: SeedReading) -> Bundle | None:
    """The file's bundle (partial when some items failed), its problems added to `reading`."""
    raw = document.data
    if not isinstance(raw, dict):
        reading.problems.append(document.problem((), "a seed file must be a mapping at top level"))
        return None
    _one_percent_unit(raw)
    set_aside: DeclaredKeys = {}
    kept: dict[str, list[int]] = {}
    try:
        data = TrialFile.model_validate(raw)
    except ValidationError as error:
        reading.problems.extend(pydantic_problems(error, document.problem))
        salvaged = _valid_part(raw, error, reading, set_aside)
        if salvaged is None:
            return None
        data, kept = salvaged
    bundle = Bundle(data, SourceOrigin.CURATED, document.file, document.line_of)
    bundle.original_indexes = kept
    local = [
        *local_problems(data, also_declared=set_aside),
        *duplicate_facts(data, where=bundle.where),
    ]
    reading.problems.extend(bundle.problem(location, message) for location, message in local)
    return bundle


def _one_percent_unit(raw: dict[str, Any]) -> None:
    """Units have one vocabulary: `percent`, `per cent`, `percentage` and `%` are all `%`, so
    that the 0-100 rule and the database's CHECK hold for each, and two results in `%` and
    `percent` are compared. (Registry records keep the registry's text: their importer
    decides what is a percentage.)"""
    results = raw.get("results")
    for result in results if isinstance(results, list) else []:
        unit = result.get("unit") if isinstance(result, dict) else None
        if isinstance(unit, str) and " ".join(unit.lower().split()) in PERCENT_SPELLINGS:
            result["unit"] = "%"


def _valid_part(
    raw: dict[str, Any], error: ValidationError, reading: SeedReading, set_aside: DeclaredKeys
) -> tuple[TrialFile, dict[str, list[int]]] | None:
    """The file without the items that failed, and the original index of each kept item; None
    when a failure is outside the items (the trial itself, an unknown section), since what
    remains would not be the file. The keys declared by what is not kept are noted (sources,
    interventions and the trial in `reading`, arms and endpoints in `set_aside`), so that
    references to them are not reported as unknown."""
    failed: dict[str, set[int]] = {}
    salvageable = True
    for detail in error.errors(include_url=False):
        location = detail["loc"]
        if len(location) >= 2 and location[0] in _ITEM_SECTIONS and isinstance(location[1], int):
            failed.setdefault(str(location[0]), set()).add(location[1])
        else:
            salvageable = False
    for section in _DECLARING_SECTIONS:
        items = raw.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if salvageable and index not in failed.get(section, ()):
                continue
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            if section in ("sources", "interventions"):
                reading.unvalidated.setdefault(section, set()).add(key)
            else:
                set_aside.setdefault(section, set()).add(key)
    if not salvageable:
        trial = raw.get("trial")
        if isinstance(trial, dict) and isinstance(trial.get("key"), str):
            reading.unvalidated.setdefault("trials", set()).add(trial["key"])
        return None
    part = dict(raw)
    kept: dict[str, list[int]] = {}
    for section, indexes in failed.items():
        items = raw[section]
        kept[section] = [index for index in range(len(items)) if index not in indexes]
        part[section] = [items[index] for index in kept[section]]
    try:
        return TrialFile.model_validate(part), kept
    except ValidationError:  # items valid alone but not together: report the schema only
        return None
