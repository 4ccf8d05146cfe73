"""Computations over facts: effect statistics, derived comparisons, checks, forest plots."""
