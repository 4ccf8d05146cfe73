"""Endpoints: the planned outcomes, and the outcome measures of the results matched to them.

Results outcome measures are matched to the planned outcomes by title; planned outcomes keep
the keys `primary-N`, `secondary-N`, `other-N` (N counts from 1 in the registry's order), an
outcome measure without a planned match gets `results-N` (its place in outcomeMeasures).
"""

from __future__ import annotations

from dataclasses import dataclass

from evidencedb.enums import EndpointMeasure, EndpointRole
from evidencedb.records.trial import EndpointRecord
from evidencedb.registries.ctgov.codes import OUTCOME_ROLES, endpoint_domain, endpoint_kind
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.keys import normal_title
from evidencedb.registries.ctgov.reader import Node

# The planned-outcome lists: registry key, key prefix, role.
_PLANNED_LISTS = [
    ("primaryOutcomes", "primary", EndpointRole.PRIMARY),
    ("secondaryOutcomes", "secondary", EndpointRole.SECONDARY),
    ("otherOutcomes", "other", EndpointRole.EXPLORATORY),
]
# The planned-outcome list an outcome measure of a type is looked for in first.
_PLANNED_LIST_OF_TYPE = {
    "PRIMARY": "primaryOutcomes",
    "SECONDARY": "secondaryOutcomes",
    "OTHER_PRE_SPECIFIED": "otherOutcomes",
}


@dataclass(frozen=True)
class PlannedEndpoint:
    list_key: str  # the registry list it was planned in: primaryOutcomes, ...
    title: str  # normalised, for matching
    record: EndpointRecord


class Endpoints:
    """The endpoints of one study: the planned ones first, then those only the results name."""

    def __init__(self, context: StudyContext) -> None:
        self.context = context
        self.records: list[EndpointRecord] = []
        self.planned: list[PlannedEndpoint] = []
        self.matched: set[str] = set()  # keys of planned endpoints an outcome measure took

    def add_planned(self, module: Node | None) -> None:
        """The planned outcomes of the protocol's outcomes module, in the record's order."""
        if module is None:
            return
        for list_key, prefix, role in _PLANNED_LISTS:
            for index, node in enumerate(module.nodes(list_key)):
                name = node.required("measure", "the outcome's title")
                if name is None:
                    continue
                kind = endpoint_kind(name)
                record = self.context.record(
                    EndpointRecord,
                    {
                        **self.context.cited(node.path),
                        "key": f"{prefix}-{index + 1}",
                        "name": name,
                        "kind": kind,
                        "role": role,
                        "domain": endpoint_domain(kind),
                        "time_frame": node.text("timeFrame"),
                        "definition": node.text("description"),
                    },
                    node.path,
                    {"name": "measure", "time_frame": "timeFrame", "definition": "description"},
                )
                if record is not None:
                    self.planned.append(
                        PlannedEndpoint(list_key, normal_title(record.name), record)
                    )
        self.records.extend(planned.record for planned in self.planned)

    def for_measure(
        self, index: int, measure: Node, values_are: EndpointMeasure | None
    ) -> str | None:
        """The key of the endpoint an outcome measure reports on: the planned outcome of the
        same title (of the same list first), else a new endpoint. `values_are` is what the
        measure's values are, which the endpoint takes on."""
        title = measure.required("title", "the outcome measure's title")
        if title is None:
            return None
        type_code = measure.text("type")
        preferred = _PLANNED_LIST_OF_TYPE.get(type_code or "")
        wanted = normal_title(title)
        candidates = [
            p for p in self.planned if p.title == wanted and p.record.key not in self.matched
        ]
        candidates.sort(key=lambda p: p.list_key != preferred)
        # What the results say of themselves: a plan's time frame is not the results'.
        reported = {
            "results_time_frame": measure.text("timeFrame"),
            "population": measure.text("populationDescription"),
        }
        if candidates:
            found = candidates[0].record
            self.matched.add(found.key)
            update = {key: value for key, value in reported.items() if value is not None}
            if values_are is not None:
                update["measure"] = values_are
            position = self.records.index(found)
            # model_copy does not validate: the texts are stripped here as validation would.
            self.records[position] = found.model_copy(update=update)
            return found.key
        kind = endpoint_kind(title)
        record = self.context.record(
            EndpointRecord,
            {
                **self.context.cited(measure.path),
                "key": f"results-{index + 1}",
                "name": title,
                "kind": kind,
                "role": OUTCOME_ROLES.get(type_code or "", EndpointRole.UNSPECIFIED),
                "domain": endpoint_domain(kind),
                "measure": values_are,
                "time_frame": measure.text("timeFrame"),
                **reported,
                "definition": measure.text("description"),
            },
            measure.path,
            {
                "name": "title",
                "time_frame": "timeFrame",
                "results_time_frame": "timeFrame",
                "population": "populationDescription",
                "definition": "description",
            },
        )
        if record is None:
            return None
        self.records.append(record)
        return record.key
