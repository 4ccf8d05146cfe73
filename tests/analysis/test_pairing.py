"""Pairing a curated trial's arms and endpoints with a registry record's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evidencedb.analysis.pairing import Item, comparable_title, pair_items

REGISTRY = [
    Item("placebo", "Placebo"),
    Item("placebo-arm", "Placebo Arm"),
    Item("drug-a-10-mg", "Drug A 10 mg"),
    Item("primary-1", "Overall Survival (OS)"),
]


def test_a_name_is_a_key_or_an_exact_title() -> None:
    curated = [
        Item("os", "Overall survival", registry_match="primary-1"),
        Item("pbo", "Placebo group", registry_match="placebo  ARM"),
    ]
    assert pair_items(curated, REGISTRY) == {"primary-1": "os", "placebo-arm": "pbo"}


def test_a_name_that_names_nothing_links_nothing() -> None:
    curated = [Item("a", "Drug A 10 mg", registry_match="Drug A 20 mg")]
    assert pair_items(curated, REGISTRY) == {}  # the map wins over the equal title


def test_equal_titles_link_only_when_unambiguous() -> None:
    # "Placebo" and "Placebo Arm" compare equal: neither is taken.
    assert pair_items([Item("pbo", "placebo")], REGISTRY) == {}
    assert pair_items([Item("a", "Drug A 10 MG.")], REGISTRY) == {"drug-a-10-mg": "a"}
    twins = [Item("a", "Drug A 10 mg"), Item("b", "drug a 10 mg")]
    assert pair_items(twins, REGISTRY) == {}


def test_comparable_titles() -> None:
    assert comparable_title("  Placebo   Arm ") == "placebo"
    assert comparable_title("Nivolumab (3 mg/kg) group") == "nivolumab 3 mg kg"
    assert comparable_title("Response rate, %") == "response rate %"


titles = st.text(alphabet="ab -", min_size=1, max_size=6)


@given(
    st.lists(st.tuples(titles, st.none() | titles), max_size=5),
    st.lists(titles, max_size=5),
)
def test_never_paired_twice(curated: list[tuple[str, str | None]], registry: list[str]) -> None:
    pairs = pair_items(
        [Item(f"c{i}", title, match) for i, (title, match) in enumerate(curated)],
        [Item(f"r{i}", title) for i, title in enumerate(registry)],
    )
    assert len(set(pairs.values())) == len(pairs)
