#!/usr/bin/env bash
# Times the in-memory replay of a dirty hive's transaction log: a generated ~100 MiB SOFTWARE hive made dirty,
# with a SOFTWARE.LOG1 of 24 HvLE entries holding 12 MiB of dirty pages (target: replay adds < 100 ms).
# Release build; prints the best of 5 of opening the hive with and without the replay. When regipy (PyPI) is
# installed, it times regipy's apply_transaction_logs on the same files (a peer that writes the recovered hive
# to a new file) and prints the ratio.
# Needs hivexsh (Debian libhivex-bin) and ../shared/fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=$(mktemp -d)
trap 'rm -rf "$keep"' EXIT
out=$(HVX_BENCH=1 HVX_BENCH_KEEP="$keep" swift test -c release --filter 'replayLargeHive' 2>&1)
echo "$out" | grep -E 'hive log replay|passed|failed|skipped'
ours=$(echo "$out" | sed -n 's/.*replay adds \([0-9.]*\) ms.*/\1/p')
if python3 -c 'import regipy.recovery' 2>/dev/null; then
    peer=$(python3 - "$keep" <<'PY'
import sys, time, os, logging
logging.disable(logging.CRITICAL)
from regipy.recovery import apply_transaction_logs
d = sys.argv[1]
best = float("inf")
for _ in range(3):
    out = os.path.join(d, "restored")
    if os.path.exists(out): os.remove(out)
    start = time.perf_counter()
    apply_transaction_logs(os.path.join(d, "SOFTWARE"), os.path.join(d, "SOFTWARE.LOG1"), restored_hive_path=out)
    best = min(best, (time.perf_counter() - start) * 1000)
print("%.1f" % best)
PY
)
    echo "regipy apply_transaction_logs on the same files: ${peer} ms (best of 3); hvexclude's replay adds ${ours} ms: $(python3 -c "print('%.0fx faster' % ($peer / max($ours, 0.1)))")"
else
    echo "regipy not installed (pip install regipy): no peer timing"
fi
