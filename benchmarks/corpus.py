"""A synthetic corpus of ClinicalTrials.gov API v2 study records, shaped like real ones.

The records have what the importer maps (arm groups with interventions, planned outcomes,
posted outcome measures with classes, categories, dispersion and statistical analyses, serious
and other adverse events with event groups) in proportions close to registry records with
results: mostly two arms, sometimes one or three to four; about ten outcome measures, a fifth
of them categorical and a tenth split into classes; analyses on about a third of the measures
with two or more groups; about six serious and twelve other adverse-event terms; baseline
characteristics (age, sex, race, region) and the participant flow of one period. One record
in twenty is as heavy as the heaviest real ones: hundreds of adverse-event terms, each with a
long term and notes (NCT04435626 has 2,811 adverse-event stats). A record maps to about 140
fact rows on average. Everything is drawn from a seeded random generator, so a size and a seed
always give the same corpus.

    python benchmarks/corpus.py --records 2000 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STUDIES_PER_FILE = 100  # as a page of the API's /studies endpoint

DRUGS = [
    "Blinatumomab", "Dupilumab", "Pembrolizumab", "Nivolumab", "Rituximab", "Imatinib",
    "Dasatinib", "Ponatinib", "Venetoclax", "Ibrutinib", "Cytarabine", "Methotrexate",
    "Vincristine", "Dexamethasone", "Prednisone", "Cyclophosphamide", "Doxorubicin",
    "Inotuzumab ozogamicin", "Tisagenlecleucel", "Azacitidine", "Decitabine", "Lenalidomide",
    "Bortezomib", "Daratumumab", "Carfilzomib", "Trastuzumab", "Pertuzumab", "Olaparib",
    "Osimertinib", "Atezolizumab", "Durvalumab", "Ipilimumab", "Bevacizumab", "Cetuximab",
    "Sorafenib", "Lenvatinib", "Cabozantinib", "Everolimus", "Metformin", "Semaglutide",
    "Empagliflozin", "Dapagliflozin", "Atorvastatin", "Apixaban", "Rivaroxaban", "Adalimumab",
    "Etanercept", "Ustekinumab", "Secukinumab", "Tofacitinib",
]  # fmt: skip
INTERVENTION_TYPES = ["DRUG"] * 6 + ["BIOLOGICAL"] * 2 + ["PROCEDURE", "BEHAVIORAL", "DEVICE"]
CONDITIONS = [
    "Acute Lymphoblastic Leukemia", "Acute Myeloid Leukemia", "Multiple Myeloma",
    "Non-small Cell Lung Cancer", "Breast Cancer", "Melanoma", "Atopic Dermatitis",
    "Type 2 Diabetes", "Heart Failure", "Rheumatoid Arthritis", "Psoriasis", "Crohn Disease",
    "Chronic Lymphocytic Leukemia", "Hepatocellular Carcinoma", "Ovarian Cancer",
]  # fmt: skip
PHASES = [["PHASE1"], ["PHASE2"], ["PHASE2"], ["PHASE3"], ["PHASE3"], ["PHASE1", "PHASE2"]]
ARM_TYPES = ["EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION"]
# Titles: some name an endpoint kind the importer recognises, most do not.
PRIMARY_TITLES = [
    "Overall Survival", "Event-free Survival", "Progression-free Survival",
    "Percentage of Participants With Complete Remission", "Objective Response Rate",
    "Change From Baseline in HbA1c", "Percentage of Participants Achieving EASI-75",
    "Disease-free Survival", "Percentage of Participants With MRD Negativity",
]  # fmt: skip
SECONDARY_TITLES = [
    "Number of Participants With Treatment-emergent Adverse Events",
    "Percentage of Participants With Dose-limiting Toxicities", "Time to Relapse",
    "Change From Baseline in Pruritus NRS", "Serum Concentration of Study Drug",
    "Percentage of Participants With a Positive Response", "Duration of Response",
    "Quality of Life (EORTC QLQ-C30) Score", "Overall Survival at 2 Years",
    "Number of Hospitalisations", "Change From Baseline in Body Weight",
    "Maximum Plasma Concentration (Cmax)", "Area Under the Curve (AUC)",
]  # fmt: skip
CATEGORY_SETS = [
    ["Complete response", "Partial response", "Stable disease", "Progressive disease"],
    ["Grade 1", "Grade 2", "Grade 3", "Grade 4"],
    ["Responder", "Non-responder"],
    ["Mild", "Moderate", "Severe"],
]
CLASS_SETS = [["Week 4", "Week 12", "Week 24"], ["Male", "Female"], ["< 65 years", ">= 65 years"]]
AE_TERMS = [
    ("Neutropenia", "Blood and lymphatic system disorders"),
    ("Anaemia", "Blood and lymphatic system disorders"),
    ("Thrombocytopenia", "Blood and lymphatic system disorders"),
    ("Febrile neutropenia", "Blood and lymphatic system disorders"),
    ("Nausea", "Gastrointestinal disorders"), ("Vomiting", "Gastrointestinal disorders"),
    ("Diarrhoea", "Gastrointestinal disorders"), ("Constipation", "Gastrointestinal disorders"),
    ("Fatigue", "General disorders"), ("Pyrexia", "General disorders"),
    ("Injection site reaction", "General disorders"), ("Headache", "Nervous system disorders"),
    ("Peripheral neuropathy", "Nervous system disorders"), ("Seizure", "Nervous system disorders"),
    ("Pneumonia", "Infections and infestations"), ("Sepsis", "Infections and infestations"),
    ("Conjunctivitis", "Infections and infestations"),
    ("Nasopharyngitis", "Infections and infestations"),
    ("Cytokine release syndrome", "Immune system disorders"),
    ("Rash", "Skin and subcutaneous tissue disorders"),
    ("Pruritus", "Skin and subcutaneous tissue disorders"),
    ("Cough", "Respiratory, thoracic and mediastinal disorders"),
    ("Dyspnoea", "Respiratory, thoracic and mediastinal disorders"),
    ("Hypertension", "Vascular disorders"), ("Arthralgia", "Musculoskeletal disorders"),
    ("ALT increased", "Investigations"), ("AST increased", "Investigations"),
    ("Hypokalaemia", "Metabolism and nutrition disorders"),
    ("Decreased appetite", "Metabolism and nutrition disorders"),
    ("Insomnia", "Psychiatric disorders"),
]  # fmt: skip


HEAVY_SHARE = 0.05  # records with hundreds of adverse-event terms
HEAVY_TERMS = (200, 450)
RACES = ["White", "Black or African American", "Asian", "Other", "Unknown or Not Reported"]
REGIONS = ["Europe", "North America", "Asia-Pacific"]


def nct_id(index: int) -> str:
    return f"NCT{90_000_000 + index:08d}"


def _pick_count(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def study(index: int, seed: int = 7) -> dict[str, Any]:
    """The `index`-th study of the corpus: a dict as the API v2 gives it."""
    rng = random.Random(seed * 1_000_003 + index)
    nct = nct_id(index)
    n_groups = _pick_count(rng, {1: 0.15, 2: 0.55, 3: 0.2, 4: 0.1})
    drugs = rng.sample(DRUGS, n_groups)
    groups = []
    interventions = []
    for g, drug in enumerate(drugs):
        placebo = g > 0 and rng.random() < 0.4
        name = "Placebo" if placebo else drug
        arm_type = "PLACEBO_COMPARATOR" if placebo else ("EXPERIMENTAL" if g == 0 else
                                                           rng.choice(ARM_TYPES[:2]))  # fmt: skip
        dose = rng.choice([10, 25, 50, 100, 200, 300, 600])
        label = f"{name} {dose} mg" if not placebo else f"Placebo {g}"
        kind = "DRUG" if placebo else rng.choice(INTERVENTION_TYPES)
        groups.append(
            {
                "label": label,
                "type": arm_type,
                "description": f"Participants receive {name} {dose} mg every {g + 1} week(s).",
                "interventionNames": [f"{kind.title()}: {name} ({g})"],
            }
        )
        interventions.append(
            {
                "type": kind,
                "name": f"{name} ({g})",
                "description": f"{name} administered as described in the arm.",
                "armGroupLabels": [label],
                "otherNames": [f"CODE-{rng.randint(100, 999)}"],
            }
        )
    n_primary = _pick_count(rng, {1: 0.7, 2: 0.3})
    n_secondary = rng.randint(3, 12)
    planned_primary = [
        {"measure": t, "description": f"{t} as assessed by the investigator.", "timeFrame": tf}
        for t, tf in (
            (rng.choice(PRIMARY_TITLES) + f" ({i + 1})", f"{rng.choice([12, 24, 52])} weeks")
            for i in range(n_primary)
        )
    ]
    planned_secondary = [
        {"measure": t, "description": f"{t}.", "timeFrame": tf}
        for t, tf in (
            (rng.choice(SECONDARY_TITLES) + f" ({i + 1})", f"Up to {rng.randint(1, 5)} years")
            for i in range(n_secondary)
        )
    ]
    result_groups = [
        {"id": f"OG{g:03d}", "title": groups[g]["label"], "description": groups[g]["description"]}
        for g in range(n_groups)
    ]
    at_risk = [rng.randint(15, 400) for _ in range(n_groups)]
    outcome_measures = []
    for role, planned in (("PRIMARY", planned_primary), ("SECONDARY", planned_secondary)):
        for item in planned:
            outcome_measures.append(_outcome(rng, role, item, result_groups, at_risk))
    event_groups = []
    for g in range(n_groups):
        event_groups.append(
            {
                "id": f"EG{g:03d}",
                "title": groups[g]["label"],
                "description": groups[g]["description"],
                "deathsNumAffected": rng.randint(0, at_risk[g] // 10),
                "deathsNumAtRisk": at_risk[g],
                "seriousNumAffected": rng.randint(0, at_risk[g] // 4),
                "seriousNumAtRisk": at_risk[g],
                "otherNumAffected": rng.randint(at_risk[g] // 4, at_risk[g]),
                "otherNumAtRisk": at_risk[g],
            }
        )
    terms = rng.sample(AE_TERMS, min(len(AE_TERMS), rng.randint(8, 26)))
    notes: str | None = None
    if rng.random() < HEAVY_SHARE:
        terms = _heavy_terms(rng, rng.randint(*HEAVY_TERMS))
        notes = "Adverse events were collected at every visit and graded by the investigator; " * 3
    n_serious = rng.randint(0, min(12, len(terms) // 2))

    def events(chosen: list[tuple[str, str]], share: int) -> list[dict[str, Any]]:
        return [
            {
                "term": term,
                "organSystem": organ,
                "sourceVocabulary": "MedDRA (25.0)",
                "assessmentType": "SYSTEMATIC_ASSESSMENT",
                **({"notes": notes} if notes else {}),
                "stats": [
                    {
                        "groupId": f"EG{g:03d}",
                        "numEvents": (affected := rng.randint(0, at_risk[g] // share))
                        + rng.randint(0, 3),
                        "numAffected": affected,
                        "numAtRisk": at_risk[g],
                    }
                    for g in range(n_groups)
                ],
            }
            for term, organ in chosen
        ]

    year = rng.randint(2005, 2022)
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "orgStudyIdInfo": {"id": f"SYN-{index:06d}"},
                "organization": {"fullName": "Synthetic Sponsor", "class": "INDUSTRY"},
                "briefTitle": f"Study of {' and '.join(drugs)} in {rng.choice(CONDITIONS)}",
                "officialTitle": f"A Randomized Study of {', '.join(drugs)} (synthetic {index})",
            },
            "statusModule": {
                "overallStatus": "COMPLETED",
                "startDateStruct": {"date": f"{year}-03-01", "type": "ACTUAL"},
                "completionDateStruct": {"date": f"{year + 3}-06-30", "type": "ACTUAL"},
                "lastUpdateSubmitDate": f"{year + 4}-01-15",
                "lastUpdatePostDateStruct": {"date": f"{year + 4}-01-20", "type": "ACTUAL"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Synthetic Sponsor", "class": "INDUSTRY"}
            },
            "descriptionModule": {"briefSummary": "A synthetic record for benchmarking."},
            "conditionsModule": {"conditions": [rng.choice(CONDITIONS)]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": rng.choice(PHASES),
                "designInfo": {
                    "allocation": "RANDOMIZED" if n_groups > 1 else "NA",
                    "interventionModel": "PARALLEL" if n_groups > 1 else "SINGLE_GROUP",
                    "primaryPurpose": "TREATMENT",
                },
                "enrollmentInfo": {"count": sum(at_risk), "type": "ACTUAL"},
            },
            "armsInterventionsModule": {"armGroups": groups, "interventions": interventions},
            "outcomesModule": {
                "primaryOutcomes": planned_primary,
                "secondaryOutcomes": planned_secondary,
            },
            "eligibilityModule": {"sex": "ALL", "minimumAge": "18 Years", "stdAges": ["ADULT"]},
            "contactsLocationsModule": {
                "locations": [{"city": "Utrecht", "country": "Netherlands"}]
            },
        },
        "resultsSection": {
            "participantFlowModule": _flow(rng, groups, at_risk),
            "baselineCharacteristicsModule": _baseline(rng, groups, at_risk),
            "outcomeMeasuresModule": {"outcomeMeasures": outcome_measures},
            "adverseEventsModule": {
                "frequencyThreshold": "5",
                "timeFrame": "From first dose to 30 days after the last dose",
                "eventGroups": event_groups,
                "seriousEvents": events(terms[:n_serious], 8),
                "otherEvents": events(terms[n_serious:], 3),
            },
        },
        "hasResults": True,
    }


def _heavy_terms(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct terms with long names, as the heaviest real records list them."""
    terms = []
    for number in range(count):
        term, organ = rng.choice(AE_TERMS)
        terms.append(
            (f"{term}, treatment-emergent, investigator-assessed (finding {number})", organ)
        )
    return terms


def _flow(rng: random.Random, groups: list[dict[str, Any]], at_risk: list[int]) -> dict[str, Any]:
    ids = [f"FG{g:03d}" for g in range(len(groups))]
    dropped = [rng.randint(0, n // 5) for n in at_risk]

    def counts(key: str, values: list[int]) -> list[dict[str, Any]]:
        return [{"groupId": i, key: str(v)} for i, v in zip(ids, values, strict=True)]

    lost = [rng.randint(0, d) for d in dropped]
    return {
        "groups": [{"id": i, "title": g["label"]} for i, g in zip(ids, groups, strict=True)],
        "periods": [
            {
                "title": "Overall Study",
                "milestones": [
                    {"type": "STARTED", "achievements": counts("numSubjects", at_risk)},
                    {
                        "type": "COMPLETED",
                        "achievements": counts(
                            "numSubjects", [n - d for n, d in zip(at_risk, dropped, strict=True)]
                        ),
                    },
                    {"type": "NOT COMPLETED", "achievements": counts("numSubjects", dropped)},
                ],
                "dropWithdraws": [
                    {"type": "Lost to Follow-up", "reasons": counts("numSubjects", lost)},
                    {
                        "type": "Withdrawal by Subject",
                        "reasons": counts(
                            "numSubjects", [d - x for d, x in zip(dropped, lost, strict=True)]
                        ),
                    },
                ],
            }
        ],
    }


def _baseline(
    rng: random.Random, groups: list[dict[str, Any]], at_risk: list[int]
) -> dict[str, Any]:
    ids = [f"BG{g:03d}" for g in range(len(groups))] + [f"BG{len(groups):03d}"]
    sizes = [*at_risk, sum(at_risk)]

    def shares(parts: int) -> list[list[int]]:
        """Per group, `parts` counts that add up to the group's size (Total: their sums)."""
        split = []
        for n in at_risk:
            cuts = sorted(rng.randint(0, n) for _ in range(parts - 1))
            split.append([b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)])
        split.append([sum(column) for column in zip(*split, strict=True)])
        return split

    def category(title: str, values: list[Any], spreads: list[str] | None = None) -> dict[str, Any]:
        measurements = []
        for position, group_id in enumerate(ids):
            item = {"groupId": group_id, "value": str(values[position])}
            if spreads is not None:
                item["spread"] = spreads[position]
            measurements.append(item)
        return (
            {"title": title, "measurements": measurements}
            if title
            else {"measurements": measurements}
        )

    sexes, races, regions = shares(2), shares(len(RACES)), shares(len(REGIONS))
    ages = [f"{rng.uniform(35, 70):.1f}" for _ in ids]
    return {
        "groups": [
            *({"id": i, "title": g["label"]} for i, g in zip(ids, groups, strict=False)),
            {"id": ids[-1], "title": "Total", "description": "Total of all reporting groups"},
        ],
        "denoms": [
            {
                "units": "Participants",
                "counts": [
                    {"groupId": i, "value": str(n)} for i, n in zip(ids, sizes, strict=True)
                ],
            }
        ],
        "measures": [
            {
                "title": "Age, Continuous",
                "paramType": "MEAN",
                "dispersionType": "STANDARD_DEVIATION",
                "unitOfMeasure": "Years",
                "classes": [
                    {"categories": [category("", ages, [f"{rng.uniform(5, 15):.1f}" for _ in ids])]}
                ],
            },
            {
                "title": "Sex: Female, Male",
                "paramType": "COUNT_OF_PARTICIPANTS",
                "unitOfMeasure": "Participants",
                "classes": [
                    {
                        "categories": [
                            category(title, [counts[k] for counts in sexes])
                            for k, title in enumerate(("Female", "Male"))
                        ]
                    }
                ],
            },
            {
                "title": "Race (NIH/OMB)",
                "paramType": "COUNT_OF_PARTICIPANTS",
                "unitOfMeasure": "Participants",
                "classes": [
                    {
                        "categories": [
                            category(title, [counts[k] for counts in races])
                            for k, title in enumerate(RACES)
                        ]
                    }
                ],
            },
            {
                "title": "Region of Enrollment",
                "paramType": "COUNT_OF_PARTICIPANTS",
                "unitOfMeasure": "Participants",
                "classes": [
                    {"title": title, "categories": [category("", [c[k] for c in regions])]}
                    for k, title in enumerate(REGIONS)
                ],
            },
        ],
    }


def _outcome(
    rng: random.Random,
    role: str,
    planned: dict[str, str],
    groups: list[dict[str, str]],
    at_risk: list[int],
) -> dict[str, Any]:
    shape = rng.random()
    counts = [max(1, n - rng.randint(0, n // 10)) for n in at_risk]
    measure: dict[str, Any] = {
        "type": role,
        "title": planned["measure"],
        "description": planned["description"],
        "reportingStatus": "POSTED",
        "timeFrame": planned["timeFrame"],
        "groups": groups,
        "denoms": [
            {
                "units": "Participants",
                "counts": [
                    {"groupId": g["id"], "value": str(n)}
                    for g, n in zip(groups, counts, strict=True)
                ],
            }
        ],
    }
    if shape < 0.2:  # categorical: counts of participants per category
        categories = rng.choice(CATEGORY_SETS)
        measure |= {"paramType": "COUNT_OF_PARTICIPANTS", "unitOfMeasure": "Participants"}
        measure["classes"] = [
            {
                "categories": [
                    {
                        "title": title,
                        "measurements": [
                            {"groupId": g["id"], "value": str(rng.randint(0, n // 2))}
                            for g, n in zip(groups, counts, strict=True)
                        ],
                    }
                    for title in categories
                ]
            }
        ]
    elif shape < 0.3:  # split into classes (timepoints, subgroups), mean with SD
        measure |= {
            "paramType": "MEAN",
            "dispersionType": "STANDARD_DEVIATION",
            "unitOfMeasure": "Units on a scale",
        }
        measure["classes"] = [
            {
                "title": title,
                "categories": [
                    {
                        "measurements": [
                            {
                                "groupId": g["id"],
                                "value": f"{rng.uniform(-10, 30):.2f}",
                                "spread": f"{rng.uniform(0.5, 9):.2f}",
                            }
                            for g in groups
                        ]
                    }
                ],
            }
            for title in rng.choice(CLASS_SETS)
        ]
    elif shape < 0.7:  # a percentage of participants, sometimes with a 95% CI
        with_ci = rng.random() < 0.5
        measure |= {"paramType": "NUMBER", "unitOfMeasure": "Percentage of participants"}
        if with_ci:
            measure |= {"dispersionType": "95% Confidence Interval"}
        measurements = []
        for g in groups:
            value = rng.uniform(5, 90)
            item = {"groupId": g["id"], "value": f"{value:.1f}"}
            if with_ci:
                item |= {
                    "lowerLimit": f"{max(0.0, value - rng.uniform(2, 10)):.1f}",
                    "upperLimit": f"{min(100.0, value + rng.uniform(2, 10)):.1f}",
                }
            measurements.append(item)
        measure["classes"] = [{"categories": [{"measurements": measurements}]}]
    else:  # a median in months, sometimes not reached
        measure |= {
            "paramType": "MEDIAN",
            "dispersionType": "95% Confidence Interval",
            "unitOfMeasure": "Months",
        }
        measurements = []
        for g in groups:
            if rng.random() < 0.1:
                measurements.append(
                    {
                        "groupId": g["id"],
                        "value": "NA",
                        "comment": "Median not reached",
                        "lowerLimit": "NA",
                        "upperLimit": "NA",
                    }
                )
                continue
            value = rng.uniform(3, 40)
            measurements.append(
                {
                    "groupId": g["id"],
                    "value": f"{value:.1f}",
                    "lowerLimit": f"{value * rng.uniform(0.6, 0.95):.1f}",
                    "upperLimit": f"{value * rng.uniform(1.05, 1.6):.1f}",
                }
            )
        measure["classes"] = [{"categories": [{"measurements": measurements}]}]
    if len(groups) >= 2 and rng.random() < 0.35:
        ratio = measure["paramType"] == "MEDIAN"
        value = rng.uniform(0.4, 1.3) if ratio else rng.uniform(-20, 20)
        measure["analyses"] = [
            {
                "groupIds": [groups[0]["id"], groups[1]["id"]],
                "groupDescription": "Stratified by region.",
                "nonInferiorityType": "SUPERIORITY",
                "pValue": rng.choice(["<0.0001", f"{rng.uniform(0.001, 0.9):.4f}"]),
                "statisticalMethod": "Log Rank" if ratio else "Cochran-Mantel-Haenszel",
                "paramType": "Hazard Ratio (HR)" if ratio else "Percentage Difference",
                "paramValue": f"{value:.2f}",
                "ciPctValue": "95",
                "ciNumSides": "TWO_SIDED",
                "ciLowerLimit": f"{value * 0.7 if ratio else value - 8:.2f}",
                "ciUpperLimit": f"{value * 1.4 if ratio else value + 8:.2f}",
            }
        ]
    return measure


@dataclass(frozen=True)
class Corpus:
    folder: Path
    records: int
    files: int
    bytes: int


def write_corpus(folder: Path, records: int, seed: int = 7) -> Corpus:
    """Write `records` studies into `folder` as pages of the /studies endpoint."""
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    size = 0
    for start in range(0, records, STUDIES_PER_FILE):
        page = {
            "studies": [
                study(i, seed) for i in range(start, min(records, start + STUDIES_PER_FILE))
            ]
        }
        path = folder / f"studies-{start // STUDIES_PER_FILE:05d}.json"
        text = json.dumps(page, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        files += 1
        size += len(text.encode("utf-8"))
    return Corpus(folder, records, files, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    args = parser.parse_args()
    corpus = write_corpus(args.out, args.records, args.seed)
    print(f"wrote {corpus.records} studies in {corpus.files} files ({corpus.bytes:,} bytes)")


if __name__ == "__main__":
    main()
