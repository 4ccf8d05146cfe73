"""`check` on registry counts that cannot be true as published: participant flow (completed or
not completed above started, withdrawal reasons above not completed), baseline counts above
the arm's n, and flow and baseline values kept as text that are impossible numbers. Each
finding names its row and the JSON path of the value; what the registry allows is not flagged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.analysis.test_checks import check
from tests.registries.ctgov.studies import imported
from tests.support.databases import TestDatabase

NCT = "NCT09200001"
FLOW = "resultsSection.participantFlowModule.periods[0]"
BASELINE = "resultsSection.baselineCharacteristicsModule.measures[0].classes[0].categories"


def _counts(values: list[str]) -> list[dict[str, str]]:
    return [
        {"groupId": f"FG00{i}", "numSubjects": value} for i, value in enumerate(values) if value
    ]


def _study(
    milestones: dict[str, list[str]],
    reasons: dict[str, list[str]],
    categories: dict[str, list[str]],
    n: list[str],
) -> dict[str, Any]:
    """A two-arm record: flow counts per milestone and reason (one value per arm), baseline
    counts of participants per category, and the baseline n of each arm."""
    groups = [("Drug A", "EXPERIMENTAL"), ("Placebo", "PLACEBO_COMPARATOR")]
    return {
        "protocolSection": {
            "identificationModule": {"nctId": NCT, "briefTitle": "Impossible counts"},
            "statusModule": {"lastUpdatePostDateStruct": {"date": "2024-01-10"}},
            "designModule": {"designInfo": {"allocation": "RANDOMIZED"}},
            "armsInterventionsModule": {
                "armGroups": [{"label": label, "type": kind} for label, kind in groups]
            },
        },
        "resultsSection": {
            "participantFlowModule": {
                "groups": [{"id": f"FG00{i}", "title": g[0]} for i, g in enumerate(groups)],
                "periods": [
                    {
                        "title": "Overall Study",
                        "milestones": [
                            {"type": kind, "achievements": _counts(values)}
                            for kind, values in milestones.items()
                        ],
                        "dropWithdraws": [
                            {"type": kind, "reasons": _counts(values)}
                            for kind, values in reasons.items()
                        ],
                    }
                ],
            },
            "baselineCharacteristicsModule": {
                "groups": [{"id": f"BG00{i}", "title": g[0]} for i, g in enumerate(groups)],
                "denoms": [
                    {
                        "units": "Participants",
                        "counts": [{"groupId": f"BG00{i}", "value": v} for i, v in enumerate(n)],
                    }
                ],
                "measures": [
                    {
                        "title": "Sex",
                        "paramType": "COUNT_OF_PARTICIPANTS",
                        "unitOfMeasure": "Participants",
                        "classes": [
                            {
                                "categories": [
                                    {
                                        "title": title,
                                        "measurements": [
                                            {"groupId": f"BG00{i}", "value": v}
                                            for i, v in enumerate(values)
                                        ],
                                    }
                                    for title, values in categories.items()
                                ]
                            }
                        ],
                    }
                ],
            },
        },
    }


def _findings(database: TestDatabase, tmp_path: Path, study: dict[str, Any]) -> list[Any]:
    path = tmp_path / f"{NCT}.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    imported(database, path)
    code, findings = check(database)
    assert code == 0  # warnings only
    return [
        (f["check"], f["row"], f["message"], f["severity"], f["source"])
        for f in findings
        if f["check"]
        in (
            "flow_exceeds_started",
            "withdrawals_exceed_not_completed",
            "baseline_count_exceeds_n",
            "impossible_registry_value",
        )
    ]


def test_counts_possible_as_published_give_no_finding(
    database: TestDatabase, tmp_path: Path
) -> None:
    study = _study(
        {
            "STARTED": ["10", "12"],
            # Between STARTED and COMPLETED, a milestone may count more than started (an
            # as-treated safety population).
            "Safety Population": ["11", "12"],
            "COMPLETED": ["8", "12"],
            "NOT COMPLETED": ["2", "0"],
        },
        # Reasons may sum to fewer than NOT COMPLETED: not every one is given.
        {"Adverse Event": ["1", ""]},
        {"Female": ["10", "7"], "Male": ["0", "5"]},
        ["10", "12"],
    )
    assert _findings(database, tmp_path, study) == []


def test_impossible_flow_and_baseline_counts_are_found(
    database: TestDatabase, tmp_path: Path
) -> None:
    study = _study(
        {
            "STARTED": ["10", "12"],
            "COMPLETED": ["11", "12"],  # Drug A: 11 of 10 completed
            "NOT COMPLETED": ["0", "13"],  # Placebo: 13 of 12 did not
        },
        # Placebo: 14 reasons for 13 not completing; Drug A's -1 and 2.5 are no counts.
        {"Adverse Event": ["-1", "9"], "Lost to Follow-up": ["2.5", "5"]},
        {"Female": ["11", "7"], "Male": ["0", "5"]},  # Drug A: 11 women of 10
        ["10", "12"],
    )
    source = f"ctgov-{NCT}"
    flow = f"{FLOW}.milestones"
    assert sorted(_findings(database, tmp_path, study)) == [
        (
            "baseline_count_exceeds_n",
            f"{NCT}/drug-a/Sex [category=Female]",
            "11 participants counted, above the arm's baseline n 10: impossible as published "
            f"(at {BASELINE}[0].measurements[0])",
            "warning",
            source,
        ),
        (
            "flow_exceeds_started",
            f"{NCT}/drug-a/COMPLETED [period=Overall Study, kind=milestone]",
            "COMPLETED 11 is above STARTED 10 in period 'Overall Study': impossible as "
            f"published (at {flow}[1].achievements[0])",
            "warning",
            source,
        ),
        (
            "flow_exceeds_started",
            f"{NCT}/placebo/NOT COMPLETED [period=Overall Study, kind=milestone]",
            "NOT COMPLETED 13 is above STARTED 12 in period 'Overall Study': impossible as "
            f"published (at {flow}[2].achievements[1])",
            "warning",
            source,
        ),
        (
            "impossible_registry_value",
            f"{NCT}/drug-a/Adverse Event [period=Overall Study, kind=withdrawal_reason]",
            "count '-1' as the registry wrote it is impossible; kept as text in count_raw "
            f"(at {FLOW}.dropWithdraws[0].reasons[0])",
            "warning",
            source,
        ),
        (
            "impossible_registry_value",
            f"{NCT}/drug-a/Lost to Follow-up [period=Overall Study, kind=withdrawal_reason]",
            "count '2.5' as the registry wrote it is impossible; kept as text in count_raw "
            f"(at {FLOW}.dropWithdraws[1].reasons[0])",
            "warning",
            source,
        ),
        (
            "withdrawals_exceed_not_completed",
            f"{NCT}/placebo/NOT COMPLETED [period=Overall Study, kind=milestone]",
            "withdrawal reasons sum to 14 (2 reasons), above NOT COMPLETED 13 in period "
            f"'Overall Study': impossible as published (at {flow}[2].achievements[1])",
            "warning",
            source,
        ),
    ]
