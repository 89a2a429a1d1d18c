#!/usr/bin/env bash
# Times reading the host facts from a generated ~100 MiB SOFTWARE hive (target: < 200 ms; the reader walks only
# the keys it needs). Release build; prints the best of 3.
set -euo pipefail
cd "$(dirname "$0")/.."
HVX_BENCH=1 swift test -c release --filter 'HostFacts' 2>&1 | grep -E 'HostFacts from a|passed|failed'
