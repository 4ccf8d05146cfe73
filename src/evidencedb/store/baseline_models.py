"""Baseline characteristics and participant flow: who each arm enrolled, and what became of them.

Both come from registry records as published, so a value that does not read as a number is
kept as the registry's text in a `*_raw` column beside a NULL, never refused. The conventions
of `models` hold: natural keys UNIQUE, '' rather than NULL in them, arms reached through the
composite foreign key `(trial_id, arm_id)`, every row cited.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidencedb.enums import FlowKind, SpreadType
from evidencedb.store.types import (
    Base,
    Count,
    EmptyText,
    IntPK,
    Number,
    OptionalText,
    ProvenanceMixin,
    enum_type,
    non_negative_checks,
)


class BaselineMeasurement(ProvenanceMixin, Base):
    __tablename__ = "baseline_measurements"
    __table_args__ = (
        UniqueConstraint("trial_id", "arm_id", "characteristic", "class", "category", "source_id"),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        *non_negative_checks("n"),
        Index(None, "arm_id"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the measurement."
    )
    arm_id: Mapped[int] = mapped_column(comment="Arm (or baseline group, such as Total) measured.")
    characteristic: Mapped[str] = mapped_column(comment="The characteristic, e.g. 'Age'.")
    # Attribute renamed because `class` is a Python keyword; the column keeps the name.
    class_title: Mapped[EmptyText] = mapped_column(
        "class", comment="Class (a subgroup such as a region or sex); '' when none."
    )
    category: Mapped[EmptyText] = mapped_column(
        comment="Category of a categorical characteristic (e.g. 'Female'); '' when none."
    )
    description: Mapped[OptionalText] = mapped_column(comment="What the characteristic measures.")
    parameter_type: Mapped[OptionalText] = mapped_column(
        comment="What the value is: mean, median, number, count_of_participants, ..."
    )
    value: Mapped[Number] = mapped_column(comment="The value; NULL when it is not a number.")
    value_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the value when it is not a plain number (NA, 1,864)."
    )
    unit: Mapped[OptionalText] = mapped_column(comment="Unit of measure.")
    spread: Mapped[Number] = mapped_column(comment="Dispersion value (SD, SE, ...).")
    spread_type: Mapped[SpreadType | None] = mapped_column(
        enum_type(SpreadType, "spread_type"), comment="Kind of dispersion or limits."
    )
    spread_lower: Mapped[Number] = mapped_column(comment="Lower limit of an IQR or range.")
    spread_upper: Mapped[Number] = mapped_column(comment="Upper limit of an IQR or range.")
    spread_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of a spread or limit that is not a plain number."
    )
    n: Mapped[Count] = mapped_column(comment="Participants (or units) the value is about.")
    n_units: Mapped[OptionalText] = mapped_column(
        comment="What n counts when not participants (eyes, lesions, ...)."
    )
    note: Mapped[OptionalText] = mapped_column(comment="The registry's comment, or our note.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Source of the value."
    )


class ParticipantFlow(ProvenanceMixin, Base):
    __tablename__ = "participant_flow"
    __table_args__ = (
        UniqueConstraint("trial_id", "arm_id", "period", "kind", "label", "source_id"),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        *non_negative_checks("count"),
        Index(None, "arm_id"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the row."
    )
    arm_id: Mapped[int] = mapped_column(comment="Arm (participant-flow group) counted.")
    period: Mapped[EmptyText] = mapped_column(comment="Period, e.g. 'Overall Study'.")
    kind: Mapped[FlowKind] = mapped_column(
        enum_type(FlowKind, "flow_kind"), comment="milestone or withdrawal_reason."
    )
    label: Mapped[str] = mapped_column(
        comment="The milestone (STARTED, COMPLETED, ...) or the reason for withdrawal."
    )
    count: Mapped[Count] = mapped_column(comment="Participants; NULL when not a number.")
    count_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the count when it is not a whole number."
    )
    note: Mapped[OptionalText] = mapped_column(comment="The registry's comment.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Source of the count."
    )
