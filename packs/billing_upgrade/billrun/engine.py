"""The engines the comparison runs on: DuckDB in process (the default) and Apache Spark.

Both take the same statements (``comparison.py``, DuckDB's dialect); Spark's are
transpiled with SQLGlot. What differs is only how a source file becomes a relation and how
a result is written: that is this module, and nothing here knows what is compared.

- ``DuckDB``: an in-process database (no server). ``memory_limit`` and ``temp_directory``
  let a bill run larger than memory spill to disk.
- ``Spark``: a SparkSession, ``local[*]`` unless ``master`` names a cluster. One session
  per process is reused (``spark_session``): starting one costs seconds.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from sqlglot import exp

Format = Literal["parquet", "csv"]


class EngineUnavailable(RuntimeError):
    """The engine the scenario names cannot start here (Spark without pyspark or Java)."""


class Engine(Protocol):
    name: str

    def source(self, name: str, paths: list[Path], fmt: Format) -> list[str]:
        """Make the files a relation called ``name``; return its column names."""
        ...

    def view(self, name: str, sql: str) -> None: ...

    def table(self, name: str, sql: str) -> None: ...

    def rows(self, sql: str) -> list[dict[str, Any]]: ...

    def write(self, sql: str, parquet: Path) -> None:
        """Write the result of ``sql`` as one Parquet file."""
        ...

    def close(self) -> None: ...


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


DEFAULT_MEMORY_LIMIT = "1GB"


class DuckDB:
    name = "duckdb"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        # the order rows arrive in means nothing here: letting DuckDB drop it saves memory
        self.con.execute("SET preserve_insertion_order = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        # DuckDB's own default is 80 % of the machine's memory: a bill run of ten million
        # items a side then holds ~1.8 GiB; capped, it spills what does not fit (and runs as
        # fast: bench/README.md, billrun)
        self.con.execute(f"SET memory_limit = '{memory_limit or DEFAULT_MEMORY_LIMIT}'")
        # where it spills: the scenario's folder, or one of its own under the system's
        # temporary directory (DuckDB's default is ./.tmp, inside whatever folder golive
        # runs in), removed on close
        self.own_temp = None if temp_directory else Path(tempfile.mkdtemp(prefix="golive-duckdb-"))
        spill = temp_directory or self.own_temp
        self.con.execute(f"SET temp_directory = {_quote_path(Path(str(spill)))}")

    def source(self, name: str, paths: list[Path], fmt: Format) -> list[str]:
        files = "[" + ", ".join(_quote_path(p) for p in paths) + "]"
        if fmt == "parquet":
            reader = f"read_parquet({files}, union_by_name = true)"
        else:
            reader = f"read_csv({files}, header = true, all_varchar = true, union_by_name = true)"
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {reader}")
        return [d[0] for d in self.con.execute(f"SELECT * FROM {name} LIMIT 0").description]

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def table(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[dict[str, Any]]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def write(self, sql: str, parquet: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {_quote_path(parquet)} (FORMAT parquet)")

    def close(self) -> None:
        self.con.close()
        if self.own_temp is not None:
            shutil.rmtree(self.own_temp, ignore_errors=True)


def _spark_hash(node: exp.Expression) -> exp.Expression:
    from sqlglot import exp

    # DuckDB's HASH is 64-bit; Spark's is 32-bit murmur3: its 64-bit one is XXHASH64
    if isinstance(node, exp.Anonymous) and node.name.upper() == "HASH":
        return exp.Anonymous(this="XXHASH64", expressions=node.expressions)
    return node


def to_spark(sql: str) -> str:
    """One statement of the comparison in Spark SQL."""
    import sqlglot  # imported here: a quarter of a second the DuckDB engine never needs

    tree = sqlglot.parse_one(sql, read="duckdb").transform(_spark_hash)
    return tree.sql(dialect="spark")


# golive's Spark configuration; a scenario's ``spark_conf`` adds to it or overrides it
SPARK_CONF = {
    "spark.ui.enabled": "false",
    # loopback only: no look-up of the machine's name (seconds per job where it is slow)
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.codegen.wholeStage": "true",
}
# Kept whatever ``spark_conf`` says: dates are read and compared in UTC, as DuckDB does
FIXED_CONF = {"spark.sql.session.timeZone": "UTC"}
DRIVER_JAVA_OPTIONS = "-Duser.timezone=UTC"  # after any the scenario adds: the last one wins


def session_conf(conf: Mapping[str, str]) -> dict[str, str]:
    """golive's configuration with the scenario's ``spark_conf`` over it, but for the time
    zone; the driver's JVM options end with UTC's."""
    settings = {**SPARK_CONF, **conf, **FIXED_CONF}
    java = settings.get("spark.driver.extraJavaOptions", "")
    settings["spark.driver.extraJavaOptions"] = f"{java} {DRIVER_JAVA_OPTIONS}".strip()
    return settings


def spark_session(master: str = "local[2]", conf: Mapping[str, str] | None = None) -> Any:
    """The process's one SparkSession (a session takes seconds to start: reuse it)."""
    return _session(master, tuple(sorted((conf or {}).items())))


@functools.cache
def _session(master: str, conf: tuple[tuple[str, str], ...]) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise EngineUnavailable(
            "the spark engine needs pyspark: pip install -c requirements.lock -e '.[spark]'"
        ) from e
    if shutil.which("java") is None:
        raise EngineUnavailable("the spark engine needs Java (Debian: default-jre-headless)")
    builder = SparkSession.builder.master(master).appName("golive-billrun")
    for key, value in session_conf(dict(conf)).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class Spark:
    name = "spark"
    CACHED = frozenset({"p_reduced", "c_reduced", "changed"})

    def __init__(self, master: str = "local[2]", conf: Mapping[str, str] | None = None) -> None:
        self.spark = spark_session(master, conf)
        self.cached: list[Any] = []

    def source(self, name: str, paths: list[Path], fmt: Format) -> list[str]:
        files = [str(p) for p in paths]
        reader = self.spark.read
        df = reader.parquet(*files) if fmt == "parquet" else reader.csv(files, header=True)
        df.createOrReplaceTempView(name)
        return list(df.columns)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(to_spark(sql)).createOrReplaceTempView(name)

    def table(self, name: str, sql: str) -> None:
        # cached only where a result is small and read several times: a cache is another
        # job per statement, and Spark reuses a shared part of one query plan by itself
        df = self.spark.sql(to_spark(sql))
        if name in self.CACHED:
            df = df.cache()
            self.cached.append(df)
        df.createOrReplaceTempView(name)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [r.asDict() for r in self.spark.sql(to_spark(sql)).collect()]

    def write(self, sql: str, parquet: Path) -> None:
        with tempfile.TemporaryDirectory(dir=parquet.parent, prefix=".spark-") as folder:
            out = Path(folder) / "out"
            self.spark.sql(to_spark(sql)).coalesce(1).write.parquet(str(out))
            (part,) = sorted(out.glob("part-*"))
            part.replace(parquet)

    def close(self) -> None:
        for df in self.cached:
            df.unpersist()
        for name in [t.name for t in self.spark.catalog.listTables() if t.isTemporary]:
            self.spark.catalog.dropTempView(name)


def engine(name: str, **options: Any) -> Engine:
    if name == "duckdb":
        return DuckDB(**options)
    if name == "spark":
        return Spark(**options)
    raise EngineUnavailable(f"no engine {name!r} (duckdb or spark)")
