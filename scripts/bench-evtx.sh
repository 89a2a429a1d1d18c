#!/usr/bin/env bash
# bench-evtx.sh [FILE] — times the EVTX reader on FILE (default ../shared/fixtures/evtx/System.evtx: 2.1 MB,
# 5,009 records; target < 50 ms) against evtxexport (Debian libevtx-utils) on the same file, and the whole scan of
# the sample hosts (target < 0.1 s) with the release binary. Best of several runs; run it on a quiet machine and
# say when it was not.
#
# The reader is timed in-process through scripts/lib/bench-evtx-harness.swift (swiftc -O -wmo with the EVTX sources),
# so process start and JSON output are not counted; evtxexport is timed as a process writing to /dev/null (its text
# and its XML view), and so is `hvexclude events` for a like-for-like process comparison.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
FILE=${1:-$REPO/../shared/fixtures/evtx/System.evtx}
[[ -f $FILE ]] || FILE=/work/shared/fixtures/evtx/System.evtx
[[ -f $FILE ]] || { echo "bench-evtx: no $FILE (../shared/fixtures is needed)" >&2; exit 2; }
for tool in swiftc evtxexport python3; do
    command -v "$tool" >/dev/null || { echo "bench-evtx: $tool is missing" >&2; exit 2; }
done
BUILD="$REPO/.build-bench"
HARNESS="$BUILD/bench-evtx"
mkdir -p "$BUILD"
sources=("$REPO"/Sources/HVExclude/Formats/EVTX/*.swift "$REPO"/Sources/HVExclude/Binary/*.swift
    "$REPO/scripts/lib/bench-evtx-harness.swift")
stale=0
[[ -x $HARNESS ]] || stale=1
for file in "${sources[@]}"; do [[ $file -nt $HARNESS ]] && stale=1; done
if ((stale)); then
    echo "building $HARNESS (swiftc -O -wmo)" >&2
    source "$REPO/scripts/lib/one-module.sh"   # the layers' sources as one module
    mapfile -t copies < <(one_module_sources "$BUILD/bench-evtx-sources" "${sources[@]}")
    swiftc -O -wmo -parse-as-library -module-name BenchEVTX "${ONE_MODULE_FLAGS[@]}" -I "$REPO/Sources/CSystemShims" \
        "${copies[@]}" -o "$HARNESS"
fi
[[ -x $REPO/.build/release/hvexclude ]] || (cd "$REPO" && swift build -c release >&2)
HVX="$REPO/.build/release/hvexclude"

echo "file: $FILE ($(stat -c %s "$FILE") bytes)"
"$HARNESS" "$FILE" 20
# best-of-N wall time of a shell command, in ms
python3 - "$FILE" "$HVX" "$REPO" <<'PY'
import subprocess, sys, time
file, hvx, repo = sys.argv[1:4]
def best(cmd, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)
q = lambda s: "'" + s.replace("'", "'\\''") + "'"
ours = best("%s events %s" % (q(hvx), q(file)))
text = best("evtxexport %s" % q(file))
xml = best("evtxexport -f xml %s" % q(file))
print("process, best of 5: hvexclude events %.1f ms; evtxexport %.1f ms (%.1fx); evtxexport -f xml %.1f ms (%.1fx)"
      % (ours, text, text / ours, xml, xml / ours))
for tree, drives in (("ws2012r2-default", []), ("ws2019-custom", ["--drive", "D=%s/TestTrees/ws2019-custom/D" % repo])):
    cmd = " ".join([q(hvx), "scan", q("%s/TestTrees/%s/C" % (repo, tree))] + [q(d) for d in drives] + ["--quiet", "--format", "json"])
    print("scan %s: best of 5 %.1f ms (target < 100 ms)" % (tree, best(cmd)))
PY
