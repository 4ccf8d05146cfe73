"""Helpers shared by the tests and the maintenance commands built on them."""
