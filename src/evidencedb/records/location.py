"""Where a value sits inside an input document: a path of keys and indexes, and its text."""

from __future__ import annotations

Location = tuple[str | int, ...]


def format_location(location: Location) -> str:
    """('arms', 1, 'role') -> 'arms[1].role'."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
