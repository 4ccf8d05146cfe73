"""Keys made from titles."""

from __future__ import annotations

from evidencedb.registries.ctgov.keys import slug


def test_slug_makes_valid_keys() -> None:
    assert slug("Dupilumab 300 mg qw") == "dupilumab-300-mg-qw"
    assert slug("Lariboisière / Cohort #2") == "lariboisiere-cohort-2"
    assert slug("≥65") == "65"
