#!/usr/bin/env bash
# make test: the self-tests run the healthy run and the fault runs under faked clocks
# (tests/test_runs.py), with libfaketime's `faketime` (Debian/Ubuntu package faketime,
# installed when we are root). Without it those tests fail in CI and skip elsewhere.
set -euo pipefail
if command -v faketime >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  fi
  exit 0
fi
echo "golive: faketime is not installed (sudo apt-get install faketime): the faked-clock tests will skip" >&2
