"""Tests of the registry importers (mirrors src/evidencedb/registries)."""
