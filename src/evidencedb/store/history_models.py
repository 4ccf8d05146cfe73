"""The registry history of a trial: one row per registry version, what reconciliation reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidencedb.store.types import Base, Count, IntPK, OptionalText, non_negative_checks


class TrialVersion(Base):
    """A registry record's key fields at one version: status, enrollment, dates and the
    outcomes it registered. Kept for every version imported, while the trial's facts come
    from the newest; `evidencedb reconcile` reads what changed between them."""

    __tablename__ = "trial_versions"
    __table_args__ = (
        UniqueConstraint("trial_id", "version_date", "source_id"),
        *non_negative_checks("enrollment"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial the registry record is of."
    )
    version_date: Mapped[str] = mapped_column(
        comment="Date of the version (the record's last update), ISO 8601."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"),
        index=True,
        comment="The registry record (one source for all of its versions).",
    )
    status: Mapped[OptionalText] = mapped_column(comment="Overall status at this version.")
    enrollment: Mapped[Count] = mapped_column(comment="Enrollment at this version.")
    enrollment_type: Mapped[OptionalText] = mapped_column(
        comment="Whether the enrollment is actual or estimated (the registry's code)."
    )
    start_date: Mapped[OptionalText] = mapped_column(comment="Start date at this version.")
    primary_completion_date: Mapped[OptionalText] = mapped_column(
        comment="Primary completion date at this version."
    )
    completion_date: Mapped[OptionalText] = mapped_column(
        comment="Completion date at this version."
    )
    primary_outcomes: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON,
        comment="Registered primary outcomes: JSON list of {key, title, time_frame, description}.",
    )
    secondary_outcomes: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, comment="Registered secondary outcomes, as primary_outcomes."
    )
    other_outcomes: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, comment="Other pre-specified outcomes, as primary_outcomes."
    )
    arm_groups: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, comment="The record's arms: JSON list of {key, title, n_enrolled}."
    )
    record_sha256: Mapped[OptionalText] = mapped_column(
        comment="SHA-256 of the record's JSON as read."
    )
