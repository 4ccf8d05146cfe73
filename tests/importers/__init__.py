"""Tests of the importers (mirrors src/evidencedb/importers)."""
