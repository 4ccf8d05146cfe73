"""The saved meta-analyses: each analysis's question, model and results, and its studies' lineage.

`meta_analyses` holds a saved analysis as its seed file defines it (question, measure, method,
options) and the results of its last computation; `meta_analysis_studies` one row per study
named in the file: the trial and endpoint, the arms, ``yi``, ``vi`` and the weight when it was
pooled, the reason when it was left out, and the facts it was computed from (table, id, field
and value) as JSON, which `check` compares with the facts as they are now. Both are rewritten
on every load, like derived comparisons: never edited by hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from evidencedb.enums import MetaMeasure, MetaMethod
from evidencedb.store.types import Base, Count, IntPK, Key, Number, OptionalText, enum_type


class MetaAnalysis(Base):
    __tablename__ = "meta_analyses"
    __table_args__ = (
        CheckConstraint("k >= 0", name="k_non_negative"),
        CheckConstraint("zero_cell_add >= 0", name="zero_cell_add_non_negative"),
        CheckConstraint("i2 IS NULL OR (i2 >= 0 AND i2 <= 100)", name="i2_percentage"),
        CheckConstraint("tau2 IS NULL OR tau2 >= 0", name="tau2_non_negative"),
        CheckConstraint(
            "p_value IS NULL OR (p_value >= 0 AND p_value <= 1)", name="p_value_probability"
        ),
        CheckConstraint(
            "ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper", name="ci_ordered"
        ),
    )

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(comment="What the analysis asks, in a line.")
    population: Mapped[OptionalText] = mapped_column(comment="Question: the population.")
    intervention: Mapped[OptionalText] = mapped_column(comment="Question: the intervention.")
    comparator: Mapped[OptionalText] = mapped_column(comment="Question: the comparator.")
    outcome: Mapped[OptionalText] = mapped_column(comment="Question: the outcome.")
    measure: Mapped[MetaMeasure] = mapped_column(
        enum_type(MetaMeasure, "meta_measure"), comment="Effect measure pooled."
    )
    method: Mapped[MetaMethod] = mapped_column(
        enum_type(MetaMethod, "meta_method"), comment="FE, MH, PETO or a τ² estimator."
    )
    hksj: Mapped[bool] = mapped_column(
        Boolean, server_default=false(), comment="Hartung-Knapp-Sidik-Jonkman adjustment."
    )
    zero_cell_add: Mapped[float] = mapped_column(
        server_default="0.5", comment="Added to the cells of a study with a zero cell."
    )
    include_double_zero: Mapped[bool] = mapped_column(
        Boolean, server_default=false(), comment="Whether double-zero studies enter ratios."
    )
    k: Mapped[int] = mapped_column(server_default="0", comment="Studies pooled.")
    estimate: Mapped[Number] = mapped_column(comment="Pooled estimate (ratio scale for ratios).")
    ci_lower: Mapped[Number] = mapped_column(comment="Lower 95% confidence limit.")
    ci_upper: Mapped[Number] = mapped_column(comment="Upper 95% confidence limit.")
    pi_lower: Mapped[Number] = mapped_column(comment="Lower 95% prediction limit.")
    pi_upper: Mapped[Number] = mapped_column(comment="Upper 95% prediction limit.")
    log_estimate: Mapped[Number] = mapped_column(comment="Pooled log ratio (ratios only).")
    se: Mapped[Number] = mapped_column(comment="SE on the scale of pooling.")
    p_value: Mapped[Number] = mapped_column(comment="p-value of the overall effect.")
    tau2: Mapped[Number] = mapped_column(comment="Between-study variance τ².")
    tau2_ci_lower: Mapped[Number] = mapped_column(comment="Q-profile lower limit of τ².")
    tau2_ci_upper: Mapped[Number] = mapped_column(comment="Q-profile upper limit of τ².")
    i2: Mapped[Number] = mapped_column(comment="I² (percent).")
    h2: Mapped[Number] = mapped_column(comment="H².")
    q: Mapped[Number] = mapped_column(comment="Cochran's Q.")
    q_df: Mapped[Count] = mapped_column(comment="Degrees of freedom of Q.")
    q_p_value: Mapped[Number] = mapped_column(comment="p-value of Q.")
    file: Mapped[OptionalText] = mapped_column(comment="Seed file that defines the analysis.")
    studies_definition: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, comment="The studies the file names, in order: [{trial, endpoint}]."
    )


class MetaAnalysisStudy(Base):
    __tablename__ = "meta_analysis_studies"
    __table_args__ = (
        UniqueConstraint("meta_analysis_id", "trial_key"),
        CheckConstraint("vi IS NULL OR vi > 0", name="vi_positive"),
        CheckConstraint(
            "weight IS NULL OR (weight >= 0 AND weight <= 100)", name="weight_percentage"
        ),
        CheckConstraint("(yi IS NULL) = (excluded_reason IS NOT NULL)", name="pooled_or_excluded"),
    )

    id: Mapped[IntPK]
    meta_analysis_id: Mapped[int] = mapped_column(
        ForeignKey("meta_analyses.id", ondelete="CASCADE"), comment="The analysis."
    )
    position: Mapped[int] = mapped_column(comment="Order of the study in the seed file.")
    trial_key: Mapped[str] = mapped_column(comment="Trial of the study (its key).")
    endpoint_key: Mapped[str] = mapped_column(comment="The trial's endpoint the analysis uses.")
    arm_key: Mapped[OptionalText] = mapped_column(comment="Experimental arm.")
    comparator_arm_key: Mapped[OptionalText] = mapped_column(comment="Comparator arm.")
    yi: Mapped[Number] = mapped_column(comment="Effect size on the scale of pooling.")
    vi: Mapped[Number] = mapped_column(comment="Its sampling variance.")
    weight: Mapped[Number] = mapped_column(comment="Weight in the pooled estimate (percent).")
    basis: Mapped[OptionalText] = mapped_column(comment="What the effect size was computed from.")
    excluded_reason: Mapped[OptionalText] = mapped_column(comment="Why it was left out.")
    facts: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, comment="The facts used: [{table, id, field, value, source_key}], as JSON."
    )
