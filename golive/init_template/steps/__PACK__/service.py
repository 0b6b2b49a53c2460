"""The __PACK__ pack's steps: a few lines each, one phrase defined once; they read through
the adapter (never HTTP) and say what they saw and what they expected."""

from __future__ import annotations

from golive.checks import check
from pytest_bdd import given, then

from packs.__PACK__.adapters import Health, Service
from packs.__PACK__.settings import Settings


@given("the __TITLE__ service", target_fixture="__PACK___health")
def _(__PACK___service: Service) -> Health:
    return __PACK___service.health()


@then("it reports itself healthy on the expected version")
def _(__PACK___health: Health, __PACK___settings: Settings) -> None:
    health, settings = __PACK___health, __PACK___settings
    check(health.status == "ok", "__PACK__", f"status {health.status!r}", "status 'ok'")
    check(
        health.version == settings.expected_version,
        "__PACK__",
        f"version {health.version!r}",
        f"version {settings.expected_version!r}",
    )
