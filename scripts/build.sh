#!/usr/bin/env bash
# Configures and builds the static release binary build/lifeboat and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
[[ -f build/CMakeCache.txt ]] || generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLIFEBOAT_STATIC=ON -DLIFEBOAT_TESTS=ON >/dev/null
# Static glibc warns that libcrypto's unused DSO/socket code would need shared
# libraries at run time; lifeboat never calls it. Those lines are dropped.
cmake --build build -j "$(nproc)" 2>&1 |
  sed -E '/statically linked applications requires at runtime/d; /: in function `[A-Za-z_]+.:$/d'
test -x build/lifeboat || { echo "build: build/lifeboat missing" >&2; exit 1; }
echo "build: $(ls -l build/lifeboat | awk '{print $5}') bytes, $(file -b build/lifeboat | cut -d, -f1-4)"
