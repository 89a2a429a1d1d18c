#!/usr/bin/env bash
# Times the in-memory replay of a dirty hive's transaction log: a generated ~100 MiB SOFTWARE hive made dirty,
# with a SOFTWARE.LOG1 of 24 HvLE entries holding 12 MiB of dirty pages (target: replay adds < 100 ms).
# Release build; prints the best of 5 of opening the hive with and without the replay.
# Needs hivexsh (Debian libhivex-bin) and ../shared/fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
HVX_BENCH=1 swift test -c release --filter 'replayLargeHive' 2>&1 | grep -E 'hive log replay|passed|failed|skipped'
