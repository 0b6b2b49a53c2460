#!/usr/bin/env bash
# make test: the bill-run reconciliation's Spark engine is proven in Spark's local mode
# (tests/billrun/test_spark.py), which needs Java (Debian/Ubuntu package
# default-jre-headless, installed when we are root) and the optional extra "spark"
# (pyspark, pinned in requirements.lock). Without Java that test fails in CI and skips
# elsewhere, saying why.
set -euo pipefail
python="${1:-.venv/bin/python}"
"$python" -c 'import pyspark' 2>/dev/null || \
  "$python" -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,spark]'
if command -v java >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  fi
  exit 0
fi
echo "golive: Java is not installed (sudo apt-get install default-jre-headless): the Spark engine's test will skip" >&2
