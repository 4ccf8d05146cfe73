"""Tests of evidencedb.analysis: statistics, derived comparisons, checks, plots."""
