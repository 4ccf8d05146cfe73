"""The sources facts come from (papers, news reports, registry records) and their trials.

A source is a document or registry record; `trial_sources` says how each reports on a trial.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidencedb.enums import SourceKind, SourceOrigin, TrialSourceRelation
from evidencedb.store.types import Base, Count, IntPK, Key, OptionalText, enum_type


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint("year BETWEEN 1800 AND 2200", name="year_plausible"),)

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    kind: Mapped[SourceKind] = mapped_column(
        enum_type(SourceKind, "source_kind"), comment="Kind of document."
    )
    origin: Mapped[SourceOrigin] = mapped_column(
        enum_type(SourceOrigin, "source_origin"),
        server_default=SourceOrigin.CURATED.value,
        comment="How the source entered the database: curated seed file or an importer.",
    )
    title: Mapped[str] = mapped_column(comment="Title of the document or registry record.")
    authors: Mapped[OptionalText] = mapped_column(comment="Authors as the document gives them.")
    citation: Mapped[OptionalText] = mapped_column(comment="Bibliographic citation.")
    journal: Mapped[OptionalText] = mapped_column(comment="Journal or outlet.")
    year: Mapped[Count] = mapped_column(comment="Year of publication.")
    doi: Mapped[OptionalText] = mapped_column(comment="Digital Object Identifier.")
    pmid: Mapped[OptionalText] = mapped_column(comment="PubMed identifier.")
    url: Mapped[OptionalText] = mapped_column(comment="Where the document can be read.")
    reports_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"),
        index=True,
        comment="Another source this one summarises (a news report of a journal article).",
    )
    document: Mapped[OptionalText] = mapped_column(
        comment="Path of the document's text as given in the seed file, for quote checks."
    )
    document_path: Mapped[OptionalText] = mapped_column(
        comment="Where the loader found the document (absolute), for `check` to read it again."
    )
    document_sha256: Mapped[OptionalText] = mapped_column(
        comment="SHA-256 of the document's bytes when it was loaded: `check` says if it changed."
    )
    record_version: Mapped[OptionalText] = mapped_column(
        comment="Registry record version: its last-update date."
    )
    record_sha256: Mapped[OptionalText] = mapped_column(
        comment="SHA-256 of the imported registry record, to tell which version a fact came from."
    )
    record_text_sha256: Mapped[OptionalText] = mapped_column(
        comment="SHA-256 of the registry record's text as it stood in the file imported: a "
        "re-import that finds the same text skips the record without re-reading it canonically."
    )
    mapping_version: Mapped[Count] = mapped_column(
        comment="Version of the importer's mapping that wrote the record's rows: a re-import of "
        "an unchanged record is skipped only when the record and this version are the same."
    )


class TrialSource(Base):
    __tablename__ = "trial_sources"
    __table_args__ = (UniqueConstraint("trial_id", "source_id"),)

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial reported on."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Reporting source."
    )
    relation: Mapped[TrialSourceRelation] = mapped_column(
        enum_type(TrialSourceRelation, "trial_source_relation"),
        comment="How the source reports on the trial.",
    )
