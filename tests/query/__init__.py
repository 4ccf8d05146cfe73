"""Tests of evidencedb.query: filters, flat views, the intervention search, export, SQL."""
