"""Word search (`--text`, `--condition`): every word of the filter, each in one of the fields.

`--condition "leukemia lymphoblastic"` finds "acute lymphoblastic leukemia": the words are
matched one by one, in any order, each anywhere in any of the fields searched, as part of a
word ("leuk" finds "leukemia"), case-insensitively. Each word is a bound LIKE pattern of its
own (`text_0`, `text_1`, ...), so the statement kept for a filter depends on how many words it
has, not on what they are; the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, exists, or_

from evidencedb.query.statement import Names, Values, contains, like_pattern

# Where one word may be found: a condition on the bound pattern of that word.
Matcher = Callable[[BindParameter[str]], ColumnElement[bool]]


def word_values(name: str, text: str) -> Values:
    """The parameters of the words of `text` for filter `name`: `name_0`, `name_1`, ... (none
    for a text of blanks, which is no filter)."""
    return {f"{name}_{index}": like_pattern(word) for index, word in enumerate(text.split())}


def word_parameters(names: Names, name: str) -> list[str]:
    """The parameters of filter `name`'s words among `names`, in order."""
    found: list[str] = []
    while f"{name}_{len(found)}" in names:
        found.append(f"{name}_{len(found)}")
    return found


def words_condition(
    names: Names, name: str, matchers: Sequence[Matcher]
) -> list[ColumnElement[bool]]:
    """One condition per word of filter `name`: the word is found by one of `matchers`."""
    conditions = []
    for parameter in word_parameters(names, name):
        pattern: BindParameter[str] = bindparam(parameter)
        conditions.append(or_(*(match(pattern) for match in matchers)))
    return conditions


def in_column(column: Any) -> Matcher:
    """A word found in `column`."""
    return lambda pattern: contains(column, pattern)


def in_any_row(column: Any, *where: ColumnElement[bool]) -> Matcher:
    """A word found in `column` of a row that `where` selects (a correlated EXISTS)."""
    return lambda pattern: exists().where(*where, contains(column, pattern))
