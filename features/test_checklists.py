"""Binds every feature file under features/ (pytest-bdd ``scenarios``): a new checklist
needs no code here, and no feature file can be left unbound."""

from pytest_bdd import scenarios

scenarios(".")
