"""Small records of our own for the edges of baseline, flow, references and protocol details:
values the registry writes as text, groups titled differently across modules, duplicate
titles, the Total group, references listed twice, codes we do not know."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.registries.ctgov.studies import imported, rows
from tests.support.databases import TestDatabase

NCT = "NCT09100001"


def _measure(title: str, values: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "paramType": "COUNT_OF_PARTICIPANTS",
        "unitOfMeasure": "Participants",
        **extra,
        "classes": [{"categories": [{"title": "Yes", "measurements": values}]}],
    }


def edge_study() -> dict[str, Any]:
    """One record holding every edge at once."""
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": NCT,
                "briefTitle": "Edges of baseline and flow",
                "officialTitle": "An Official Title",
            },
            "statusModule": {
                "lastUpdatePostDateStruct": {"date": "2024-01-10", "type": "ACTUAL"},
                "startDateStruct": {"date": "2020-01", "type": "ACTUAL"},
                "primaryCompletionDateStruct": {"date": "2023-05", "type": "ESTIMATED"},
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "primaryPurpose": "SOMETHING_NEW",  # a code we do not know
                    "maskingInfo": {
                        "masking": "DOUBLE",
                        "whoMasked": ["PARTICIPANT", "INVESTIGATOR"],
                    },
                },
                "enrollmentInfo": {"count": 20, "type": "ESTIMATED"},
            },
            "eligibilityModule": {
                "sex": "FEMALE",
                "healthyVolunteers": True,
                "eligibilityCriteria": "Inclusion Criteria:\n* adults",
            },
            "conditionsModule": {
                "conditions": ["Asthma"],
                "keywords": ["asthma", "asthma", "cough"],
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Sponsor"},
                "collaborators": [{"name": "University A"}, {"name": "Institute B"}],
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {"label": "Drug A", "type": "EXPERIMENTAL"},
                    {"label": "Placebo", "type": "PLACEBO_COMPARATOR"},
                ]
            },
            "referencesModule": {
                "references": [
                    {"pmid": "111", "type": "BACKGROUND", "citation": "Smith J. Earlier. 2019."},
                    {"pmid": "222", "type": "RESULT", "citation": "Doe A. Results. Lancet. 2024."},
                    {"pmid": "222", "type": "BACKGROUND", "citation": "Doe A. Results again."},
                    {"pmid": "not-a-pmid", "type": "BACKGROUND", "citation": "A report, 2018"},
                    {"type": "DERIVED"},  # names nothing: no source
                ]
            },
        },
        "derivedSection": {
            "conditionBrowseModule": {"meshes": [{"id": "D001249", "term": "Asthma"}]},
            "interventionBrowseModule": {"meshes": [{"id": "C1", "term": "drug a"}]},
        },
        "resultsSection": {
            "participantFlowModule": {
                "groups": [
                    {"id": "FG000", "title": "Drug A"},
                    {"id": "FG001", "title": "Placebo"},
                ],
                "periods": [
                    {
                        "title": "Overall Study",
                        "milestones": [
                            {
                                "type": "STARTED",
                                "achievements": [
                                    {"groupId": "FG000", "numSubjects": "10"},
                                    {"groupId": "FG001", "numSubjects": "1,864"},
                                ],
                            },
                            {
                                "type": "STARTED",  # listed twice: kept as "STARTED (2)"
                                "comment": "second count",
                                "achievements": [{"groupId": "FG000", "numSubjects": "NA"}],
                            },
                        ],
                        "dropWithdraws": [
                            {
                                "type": "Adverse Event",
                                "reasons": [
                                    {"groupId": "FG000", "numSubjects": "1"},
                                    {"groupId": "FG009", "numSubjects": "4"},  # unlisted
                                ],
                            }
                        ],
                    }
                ],
            },
            "baselineCharacteristicsModule": {
                "groups": [
                    # Titled unlike the arms: bound by group number to FG000 / FG001's arms.
                    {"id": "BG000", "title": "Participants Who Received Drug A"},
                    {"id": "BG001", "title": "Participants Who Received Placebo"},
                    {"id": "BG002", "title": "Total"},
                ],
                "denoms": [
                    {
                        "units": "Participants",
                        "counts": [
                            {"groupId": "BG000", "value": "10"},
                            {"groupId": "BG001", "value": "10"},
                            {"groupId": "BG002", "value": "20"},
                        ],
                    }
                ],
                "measures": [
                    {
                        "title": "Age",
                        "paramType": "MEDIAN",
                        "dispersionType": "FULL_RANGE",
                        "unitOfMeasure": "years",
                        "classes": [
                            {
                                "categories": [
                                    {
                                        "measurements": [
                                            {
                                                "groupId": "BG000",
                                                "value": "41.5",
                                                "lowerLimit": "18",
                                                "upperLimit": "NA",
                                            },
                                            {"groupId": "BG001", "value": "NA", "comment": "n/r"},
                                            {"groupId": "BG002", "value": "<5"},
                                        ]
                                    }
                                ]
                            }
                        ],
                    },
                    _measure("Smoker", [{"groupId": "BG000", "value": "1,901"}]),
                    # The same title twice, and a class with its own denominator of eyes.
                    _measure(
                        "Smoker",
                        [{"groupId": "BG001", "value": "3"}],
                        denomUnitsSelected="Eyes",
                        denoms=[{"units": "Eyes", "counts": [{"groupId": "BG001", "value": "18"}]}],
                    ),
                ],
            },
        },
        "hasResults": True,
    }


def write(folder: Path, study: dict[str, Any], name: str = NCT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    return path


def test_baseline_values_that_are_not_numbers_keep_their_text(
    database: TestDatabase, tmp_path: Path
) -> None:
    imported(database, write(tmp_path, edge_study()))
    found = rows(
        database,
        "SELECT a.key AS arm, b.characteristic, b.category, b.value, b.value_raw,"
        " b.spread_type, b.spread_lower, b.spread_upper, b.spread_raw, b.n, b.n_units, b.note"
        " FROM baseline_measurements b JOIN arms a ON a.id = b.arm_id ORDER BY b.id",
    )
    assert found == [
        {
            "arm": "drug-a",
            "characteristic": "Age",
            "category": "",
            "value": 41.5,
            "value_raw": None,
            "spread_type": "full_range",
            "spread_lower": 18.0,
            "spread_upper": None,
            "spread_raw": "18 to NA",
            "n": 10,
            "n_units": None,
            "note": None,
        },
        {
            "arm": "placebo",
            "characteristic": "Age",
            "category": "",
            "value": None,
            "value_raw": "NA",
            "spread_type": "full_range",
            "spread_lower": None,
            "spread_upper": None,
            "spread_raw": None,
            "n": 10,
            "n_units": None,
            "note": "n/r",
        },
        {
            "arm": "total",
            "characteristic": "Age",
            "category": "",
            "value": 5.0,
            "value_raw": "<5",
            "spread_type": "full_range",
            "spread_lower": None,
            "spread_upper": None,
            "spread_raw": None,
            "n": 20,
            "n_units": None,
            "note": None,
        },
        {
            "arm": "drug-a",
            "characteristic": "Smoker",
            "category": "Yes",
            "value": 1901.0,
            "value_raw": "1,901",
            "spread_type": None,
            "spread_lower": None,
            "spread_upper": None,
            "spread_raw": None,
            "n": 10,
            "n_units": None,
            "note": None,
        },
        {
            "arm": "placebo",
            "characteristic": "Smoker (2)",
            "category": "Yes",
            "value": 3.0,
            "value_raw": None,
            "spread_type": None,
            "spread_lower": None,
            "spread_upper": None,
            "spread_raw": None,
            "n": 18,
            "n_units": "Eyes",
            "note": None,
        },
    ]
    arms = rows(database, "SELECT key, role, n_enrolled FROM arms ORDER BY id")
    assert arms == [
        {"key": "drug-a", "role": "experimental", "n_enrolled": 10},
        {"key": "placebo", "role": "placebo_comparator", "n_enrolled": 1864},  # "1,864"
        {"key": "total", "role": None, "n_enrolled": None},
    ]


def test_flow_counts_that_are_not_numbers_keep_their_text(
    database: TestDatabase, tmp_path: Path
) -> None:
    imported(database, write(tmp_path, edge_study()))
    found = rows(
        database,
        "SELECT a.key AS arm, f.period, f.kind, f.label, f.count, f.count_raw, f.note"
        " FROM participant_flow f JOIN arms a ON a.id = f.arm_id ORDER BY f.id",
    )
    assert found == [
        {
            "arm": "drug-a",
            "period": "Overall Study",
            "kind": "milestone",
            "label": "STARTED",
            "count": 10,
            "count_raw": None,
            "note": None,
        },
        {
            "arm": "placebo",
            "period": "Overall Study",
            "kind": "milestone",
            "label": "STARTED",
            "count": 1864,
            "count_raw": "1,864",
            "note": None,
        },
        {
            "arm": "drug-a",
            "period": "Overall Study",
            "kind": "milestone",
            "label": "STARTED (2)",
            "count": None,
            "count_raw": "NA",
            "note": "second count",
        },
        {
            "arm": "drug-a",
            "period": "Overall Study",
            "kind": "withdrawal_reason",
            "label": "Adverse Event",
            "count": 1,
            "count_raw": None,
            "note": None,
        },
    ]


def test_protocol_details_and_unknown_codes(database: TestDatabase, tmp_path: Path) -> None:
    imported(database, write(tmp_path, edge_study()))
    [trial] = rows(
        database,
        "SELECT official_title, masking, masked_roles, primary_purpose, enrollment_type,"
        " start_date_type, end_date_type, sex, healthy_volunteers, eligibility_criteria,"
        " keywords, mesh_terms, intervention_mesh_terms, collaborators FROM trials",
    )
    assert trial == {
        "official_title": "An Official Title",
        "masking": "double",
        "masked_roles": "participant; investigator",
        "primary_purpose": None,  # SOMETHING_NEW: not ours, and no reason to refuse the record
        "enrollment_type": "estimated",
        "start_date_type": "actual",
        "end_date_type": "estimated",  # of the primary completion date, the end date used
        "sex": "female",
        "healthy_volunteers": True if database.backend == "postgresql" else 1,
        "eligibility_criteria": "Inclusion Criteria:\n* adults",
        "keywords": "asthma; cough",
        "mesh_terms": "Asthma",
        "intervention_mesh_terms": "drug a",
        "collaborators": "University A; Institute B",
    }


def test_references_are_sources_of_the_trial(database: TestDatabase, tmp_path: Path) -> None:
    imported(database, write(tmp_path, edge_study()))
    found = rows(
        database,
        "SELECT s.key, s.kind, s.pmid, s.year, s.url, s.citation, ts.relation FROM sources s"
        " JOIN trial_sources ts ON ts.source_id = s.id ORDER BY s.key",
    )
    assert found == [
        {
            "key": f"ctgov-{NCT}",
            "kind": "registry_record",
            "pmid": None,
            "year": 2024,
            "url": f"https://clinicaltrials.gov/study/{NCT}",
            "citation": None,
            "relation": "registry_record",
        },
        {
            "key": f"ctgov-{NCT}-pmid-111",
            "kind": "journal_article",
            "pmid": "111",
            "year": 2019,
            "url": "https://pubmed.ncbi.nlm.nih.gov/111/",
            "citation": "Smith J. Earlier. 2019.",
            "relation": "background",
        },
        {
            "key": f"ctgov-{NCT}-pmid-222",
            "kind": "journal_article",
            "pmid": "222",
            "year": 2024,
            "url": "https://pubmed.ncbi.nlm.nih.gov/222/",
            "citation": "Doe A. Results. Lancet. 2024.",
            "relation": "results_publication",  # listed as RESULT and as BACKGROUND
        },
        {
            "key": f"ctgov-{NCT}-ref-4",
            "kind": "journal_article",
            "pmid": None,  # "not-a-pmid" is no PubMed id: the citation stays
            "year": 2018,
            "url": None,
            "citation": "A report, 2018",
            "relation": "background",
        },
    ]
    # They cite no facts: every fact cites the registry record.
    cited = rows(
        database,
        "SELECT DISTINCT s.key FROM baseline_measurements b JOIN sources s ON s.id = b.source_id",
    )
    assert cited == [{"key": f"ctgov-{NCT}"}]


def test_a_record_without_results_has_no_baseline_or_flow(
    database: TestDatabase, tmp_path: Path
) -> None:
    study = copy.deepcopy(edge_study())
    del study["resultsSection"]
    imported(database, write(tmp_path, study))
    counts = rows(
        database,
        "SELECT (SELECT count(*) FROM baseline_measurements) AS baseline,"
        " (SELECT count(*) FROM participant_flow) AS flow, (SELECT count(*) FROM arms) AS arms",
    )
    assert counts == [{"baseline": 0, "flow": 0, "arms": 2}]


def test_an_arm_that_starts_after_a_screening_period_is_counted_where_it_starts(
    database: TestDatabase, tmp_path: Path
) -> None:
    # NCT01026818: every arm STARTED 0 in the screening period, and 139-143 in the next one.
    study = edge_study()
    flow = study["resultsSection"]["participantFlowModule"]
    screening = {
        "title": "Screening",
        "milestones": [
            {
                "type": "STARTED",
                "achievements": [
                    {"groupId": "FG000", "numSubjects": "0"},
                    {"groupId": "FG001", "numSubjects": "0"},
                ],
            }
        ],
    }
    flow["periods"].insert(0, screening)
    imported(database, write(tmp_path, study))
    arms = rows(database, "SELECT key, n_enrolled FROM arms WHERE key <> 'total' ORDER BY id")
    assert arms == [{"key": "drug-a", "n_enrolled": 10}, {"key": "placebo", "n_enrolled": 1864}]
