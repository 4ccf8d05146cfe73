"""A study file parsed with each study's text: the same document as json.loads, the same
errors, and texts that are exactly the studies' characters in the file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencedb.registries.ctgov.study_texts import parse_with_study_texts

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
STUDIES = st.lists(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4), max_size=4)
LAYOUTS = st.sampled_from([None, 0, 1, 3])  # json.dumps's indent: none, newlines, nesting


@given(STUDIES, LAYOUTS, st.booleans())
def test_a_page_parses_as_json_loads_does(
    studies: list[Any], indent: int | None, ascii: bool
) -> None:
    text = json.dumps(
        {"studies": studies, "nextPageToken": "abc"}, indent=indent, ensure_ascii=ascii
    )
    document, texts = parse_with_study_texts(text)
    assert document == json.loads(text)
    assert sorted(texts) == [("studies", i) for i in range(len(studies))]
    for (_, index), study_text in texts.items():
        assert json.loads(study_text) == studies[index]
        assert study_text in text


@given(STUDIES, LAYOUTS)
def test_a_list_parses_as_json_loads_does(studies: list[Any], indent: int | None) -> None:
    text = " \n" + json.dumps(studies, indent=indent) + "\n\t"
    document, texts = parse_with_study_texts(text)
    assert document == studies
    assert {location: json.loads(t) for location, t in texts.items()} == {
        (i,): study for i, study in enumerate(studies)
    }


def test_a_study_is_its_whole_text_but_the_whitespace_around_it() -> None:
    study = '{"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}}'
    document, texts = parse_with_study_texts(f"\n  {study}\r\n")
    assert texts == {(): study}
    assert document == json.loads(study)


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("3", 3),  # not a study file, but JSON: reading reports what it is
        ('"studies"', "studies"),
        ('{"studies": 1, "studies": []}', {"studies": []}),  # the last of a repeated key
        ('{"studies": [{"a": 1}], "studies": 2}', {"studies": 2}),
    ],
)
def test_other_json_parses_as_json_loads_does(text: str, document: Any) -> None:
    assert parse_with_study_texts(text)[0] == document


def test_texts_follow_the_last_studies_list() -> None:
    _, texts = parse_with_study_texts('{"studies": [{"a": 1}], "studies": 2}')
    assert texts == {(): '{"studies": [{"a": 1}], "studies": 2}'}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        '{"studies": [1, 2,]}',
        '{"studies": [1 2]}',
        '{"a" 1}',
        '{"a": 1,}',
        "{'a': 1}",
        "[1, 2] 3",
        '{"a": 1} {',
        "\ufeff[]",
        '{"studies": [{"x": tru}]}',
    ],
)
def test_invalid_json_fails_as_json_loads_fails(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as raised:
        parse_with_study_texts(text)
    assert (raised.value.msg, raised.value.pos) == (expected.value.msg, expected.value.pos)
