"""Seed files read and validated into bundles, every problem of every file in one pass."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from evidencedb.enums import SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.bundle import Bundle, pydantic_problems
from evidencedb.records.input_paths import expand_paths
from evidencedb.records.trial_file import TrialFile, local_problems
from evidencedb.seedfiles.located_yaml import LocatedDocument, read_yaml

SEED_SUFFIXES = (".yaml", ".yml")


def validate_document(document: LocatedDocument, origin: SourceOrigin) -> Bundle:
    """Validate one parsed document into a Bundle, reporting every problem it has at once."""
    if not isinstance(document.data, dict):
        raise ValidationFailed([document.problem((), "a seed file must be a mapping at top level")])
    try:
        data = TrialFile.model_validate(document.data)
    except ValidationError as error:
        raise ValidationFailed(pydantic_problems(error, document.problem)) from None
    bundle = Bundle(data, origin, document.file, document.line_of)
    local = [bundle.problem(location, message) for location, message in local_problems(data)]
    if local:
        raise ValidationFailed(local)
    return bundle


def read_seed_files(paths: Iterable[Path]) -> list[Bundle]:
    """Parse and validate seed files; every problem of every file is reported in one pass."""
    bundles: list[Bundle] = []
    problems: list[Problem] = []
    files = list(expand_paths(paths, SEED_SUFFIXES))
    if not files:
        raise ValidationFailed(
            [Problem(", ".join(map(str, paths)), None, "", "no seed files found")]
        )
    for path in files:
        try:
            bundle = validate_document(read_yaml(path), SourceOrigin.CURATED)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            continue
        bundle.base_dir = path.parent
        bundles.append(bundle)
    if problems:
        raise ValidationFailed(problems)
    return bundles
