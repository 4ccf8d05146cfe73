"""Tests of evidencedb.cli: exit codes, streams, help and the installed command."""
