"""Binds the feature files of the checklist packs this run selects (the scenario's
``packs:``): a new checklist needs no code here, and no feature file can be left unbound."""

from golive.packs import feature_folders
from pytest_bdd import scenarios

for _folder, _base in feature_folders():
    scenarios(_folder, features_base_dir=_base)
