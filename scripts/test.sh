#!/usr/bin/env bash
# Runs every test: installs missing packages, builds, then runs the unit tests
# (doctest) and the e2e tests (the real static build/lifeboat on temp trees)
# through CTest. This is what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
