"""Curated seed files: YAML read with lines, validated into records, their JSON Schema."""
