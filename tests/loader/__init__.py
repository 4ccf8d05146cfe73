"""Tests of evidencedb.loader: all-or-nothing, idempotent loads with located errors."""
