"""Tests of the ClinicalTrials.gov importer (mirrors src/evidencedb/registries/ctgov)."""
