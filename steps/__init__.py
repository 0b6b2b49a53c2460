"""Step definitions by domain, loaded as plugins from the root conftest.

Steps stay thin: parse, call an adapter, assert with evidence (``golive.checks``). A
phrase is defined once; ``tests/test_steps_registry.py`` fails on a duplicate or an
undefined step.
"""
