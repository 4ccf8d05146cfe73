"""Study versions: which of two records of one study is the newer, read without mapping either."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SOURCE_KEY_PREFIX = "ctgov-"
# The version of the mapping of a study into records, stored with each imported record: a
# re-import skips a record only when both the record and this version are unchanged. Bump it
# whenever a change to the mapping would write different rows for the same record.
MAPPING_VERSION = 3
NCT_PATTERN = re.compile(r"^NCT\d{8}$")


@dataclass(frozen=True)
class StudyVersion:
    nct_id: str | None
    version: str | None  # the last-update date, ISO 8601; None when the record has none


def source_key(nct_id: str) -> str:
    """The key of the source that stands for a study's registry record."""
    return f"{SOURCE_KEY_PREFIX}{nct_id}"


def peek_version(data: Any) -> StudyVersion:
    """The NCT id and last-update date of a study, or None where they cannot be read (the
    mapping then reports why)."""

    def step(value: Any, *keys: str) -> Any:
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    nct = step(data, "protocolSection", "identificationModule", "nctId")
    status = step(data, "protocolSection", "statusModule")
    version = step(status, "lastUpdatePostDateStruct", "date") or step(
        status, "lastUpdateSubmitDate"
    )
    return StudyVersion(
        nct if isinstance(nct, str) and NCT_PATTERN.match(nct) else None,
        version if isinstance(version, str) and version.strip() else None,
    )


def is_newer(version: str | None, than: str | None) -> bool:
    """A record without a last-update date counts as older than any record with one."""
    if version is None:
        return False
    return than is None or version > than
