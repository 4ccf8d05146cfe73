"""Tests of evidencedb.store: the models' constraints and the migrations."""
