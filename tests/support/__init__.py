"""Helpers shared by the tests and the maintenance commands built on them: databases, the CLI,
seed copies, snapshots, reliability tools, and the documentation generated from the code."""
