"""Seed files read and validated into bundles, every problem of every file in one pass.

A file whose top level has `analysis` is a saved meta-analysis (seeds/analyses/*.yaml); every
other file is a trial file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from evidencedb.enums import SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.analysis_file import AnalysisBundle, AnalysisFile, analysis_problems
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


@dataclass
class SeedInputs:
    """What a set of seed files holds: trial bundles and saved analyses."""

    bundles: list[Bundle] = field(default_factory=list)
    analyses: list[AnalysisBundle] = field(default_factory=list)


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


def read_seed_inputs(paths: Iterable[Path]) -> SeedInputs:
    """Parse and validate seed files, trials and saved analyses; every problem of every file
    is reported in one pass."""
    inputs = SeedInputs()
    problems: list[Problem] = []
    files = list(expand_paths(paths, SEED_SUFFIXES))
    if not files:
        raise ValidationFailed(
            [Problem(", ".join(map(str, paths)), None, "", "no seed files found")]
        )
    for path in files:
        try:
            document = read_yaml(path)
            if isinstance(document.data, dict) and "analysis" in document.data:
                inputs.analyses.append(validate_analysis(document))
                continue
            bundle = validate_document(document, SourceOrigin.CURATED)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            continue
        bundle.base_dir = path.parent
        inputs.bundles.append(bundle)
    if problems:
        raise ValidationFailed(problems)
    return inputs


def read_seed_files(paths: Iterable[Path]) -> list[Bundle]:
    """Parse and validate seed files into trial bundles (saved analyses are validated too,
    and left aside: `read_seed_inputs` returns them)."""
    return read_seed_inputs(paths).bundles
