"""The scenario's bill_run section: what it accepts and how it says what is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from packs.billing_upgrade.billrun.engine import session_conf
from packs.billing_upgrade.billrun.settings import BillRun

EXPORT = {"accounts": "a.parquet", "invoices": "i.parquet", "items": "t.parquet"}


def test_defaults_need_nothing_beyond_duckdb() -> None:
    settings = BillRun()
    assert settings.engine == "duckdb" and settings.exports == {}
    assert settings.engine_options() == {"memory_limit": None, "temp_directory": None}
    assert BillRun(engine="spark").engine_options() == {"master": "local[2]", "conf": {}}
    small = {"spark.sql.adaptive.enabled": "false"}
    spark = BillRun(engine="spark", spark_conf=small)
    assert spark.engine_options() == {"master": "local[2]", "conf": small}


def test_exports_need_both_sides() -> None:
    with pytest.raises(ValidationError, match="expected both production and candidate"):
        BillRun.model_validate({"exports": {"production": EXPORT}})


def test_a_column_mapping_names_layout_columns() -> None:
    bad = {**EXPORT, "columns": {"items": {"charge": "amount"}}}
    with pytest.raises(ValidationError, match=r"columns.items: no layout column charge"):
        BillRun.model_validate({"exports": {"production": bad, "candidate": EXPORT}})
    with pytest.raises(ValidationError, match="no table 'lines'"):
        BillRun.model_validate(
            {"exports": {"production": {**EXPORT, "columns": {"lines": {}}}, "candidate": EXPORT}}
        )


def test_an_unknown_engine_or_a_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValidationError, match="'duckdb' or 'spark'"):
        BillRun.model_validate({"engine": "pandas"})
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        BillRun.model_validate({"tolerance": "-0.01"})


def test_spark_conf_adds_to_golives_but_keeps_utc() -> None:
    conf = session_conf(
        {
            "spark.sql.adaptive.enabled": "false",
            "spark.sql.session.timeZone": "Europe/Paris",
            "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -Duser.timezone=CET",
        }
    )
    assert conf["spark.sql.adaptive.enabled"] == "false"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    # the JVM takes the last -D of a name: UTC's comes last
    assert conf["spark.driver.extraJavaOptions"] == (
        "-XX:+UseSerialGC -Duser.timezone=CET -Duser.timezone=UTC"
    )
    assert session_conf({})["spark.driver.extraJavaOptions"] == "-Duser.timezone=UTC"
