"""The validated record of a saved meta-analysis file (seeds/analyses/*.yaml).

A file names the analysis, its question (population, intervention, comparator, outcome), the
studies -- each a trial key with the trial's endpoint, since endpoints differ across trials --
and the measure and model. It refers to trials by key; that they exist, with that endpoint, is
checked against the files of the same load and the database before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from pydantic import ConfigDict, Field, Strict

from evidencedb.enums import MetaMeasure, MetaMethod
from evidencedb.errors import Problem
from evidencedb.records.base import Key, Record, Text
from evidencedb.records.bundle import LineLookup
from evidencedb.records.location import Location, format_location

ANALYSIS_SCHEMA_VERSION = 1


class Question(Record):
    """The review question, PICO: who, what, against what, measured how."""

    population: Text | None = None
    intervention: Text | None = None
    comparator: Text | None = None
    outcome: Text | None = None


class AnalysisStudy(Record):
    """One study: a trial and the endpoint of that trial the analysis pools."""

    trial: Key = Field(description="Key of the trial.")
    endpoint: Key = Field(description="Key of the trial's endpoint.")


class AnalysisRecord(Record):
    """A saved meta-analysis: what it asks, which studies, which measure and model."""

    key: Key = Field(description="Name of the analysis: `evidencedb meta --analysis KEY`.")
    title: Text
    question: Question = Field(default_factory=Question)
    measure: MetaMeasure
    method: MetaMethod = MetaMethod.REML
    hksj: Annotated[bool, Strict()] = Field(False, description="Hartung-Knapp-Sidik-Jonkman.")
    zero_cell_add: Annotated[float, Field(ge=0, le=1)] = 0.5
    include_double_zero: Annotated[bool, Strict()] = False
    studies: list[AnalysisStudy] = Field(min_length=1)


class AnalysisFile(Record):
    """One saved-analysis seed file."""

    model_config = ConfigDict(
        title="evidencedb saved meta-analysis",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_version: Annotated[int, Strict(), Field(ge=1, le=ANALYSIS_SCHEMA_VERSION)] = (
        ANALYSIS_SCHEMA_VERSION
    )
    analysis: AnalysisRecord


def analysis_problems(data: AnalysisFile) -> Iterator[tuple[Location, str]]:
    """Problems visible within the file: a trial named twice (a trial counts once)."""
    seen: set[str] = set()
    for index, study in enumerate(data.analysis.studies):
        if study.trial in seen:
            yield (
                ("analysis", "studies", index, "trial"),
                f"trial {study.trial!r} is named twice: a meta-analysis counts a trial once",
            )
        seen.add(study.trial)


@dataclass
class AnalysisBundle:
    """A validated saved-analysis file, and how to point at its lines."""

    data: AnalysisFile
    file: str
    line_of: LineLookup

    def problem(self, location: Location, message: str) -> Problem:
        return Problem(self.file, self.line_of(location), format_location(location), message)
