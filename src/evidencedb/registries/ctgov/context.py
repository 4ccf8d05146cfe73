"""What every part of one study's mapping shares: its problems, its source, record validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from evidencedb.errors import Problem
from evidencedb.records.bundle import pydantic_problems
from evidencedb.records.location import Location, format_location
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.reader import Issues, JsonPath, Node
from evidencedb.registries.ctgov.versions import source_key

Model = TypeVar("Model", bound=BaseModel)

PLACEHOLDER_NCT = "NCT00000000"  # stands in for the record's own until it has been read


class StudyContext:
    """One study being mapped: its JSON, the problems found so far, and the registry record as
    the source every fact cites."""

    def __init__(self, study: StudyInput) -> None:
        self.study = study
        self.issues = Issues(study)
        self.root = Node(study.data, (), self.issues)
        self.nct = PLACEHOLDER_NCT
        self.source = source_key(self.nct)

    def identify(self, nct: str) -> None:
        """The study's NCT id is known: its facts cite the record of that id from now on."""
        self.nct, self.source = nct, source_key(nct)

    def cited(self, path: JsonPath) -> dict[str, Any]:
        """The fields that make a record cite the registry record's field at `path`."""
        return {"source": self.source, "locator": format_location(path)}

    def record(
        self,
        model: type[Model],
        fields: dict[str, Any],
        path: JsonPath,
        names: Mapping[str, str] | None = None,
    ) -> Model | None:
        """`fields` validated as a `model`, or None with its problems noted: each at the
        registry field `names` gives for the model's field, else at `path`."""
        try:
            return model.model_validate(fields)
        except ValidationError as error:
            names = names or {}

            def locate(location: Location, message: str) -> Problem:
                message = message.removeprefix("Value error, ")
                if location and str(location[0]) in names:
                    where = (*path, names[str(location[0])], *location[1:])
                    return self.study.problem(where, message)
                if location:
                    message = f"{format_location(location)}: {message}"
                return self.study.problem(path, message)

            self.issues.extend(pydantic_problems(error, locate))
            return None
