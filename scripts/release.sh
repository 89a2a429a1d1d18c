#!/usr/bin/env bash
# Builds the fully static release binary and checks it: dist/hvexclude-<version>-linux-<arch> (stripped) + .sha256.
#
# Usage: scripts/release.sh [TREE]
#   TREE  a folder to scan for the "same JSON as swift run" check (e.g. TestTrees/<name>/C); default: a small
#         temporary tree made here.
# Checks: shipped sources import no Foundation; the binary is static (ldd/file); at most 20 MiB stripped;
# start time (`--version`, median of 20 runs; target < 50 ms); run with `env -i` from an empty folder it
# writes the same JSON as `swift run hvexclude scan` (ignoring scan.durationSeconds and scan.startedAt).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# The Swift runtime and FoundationEssentials are ~14 MB of it; the product's own code was ~2 MB at 0.1 and
# ~3 MB once the native NTFS, VHD/VHDX, EVTX and hive-log readers joined (16.1 MiB, 2026-12). The cap keeps
# a stray dependency (Foundation's ICU data is ~45 MB) from slipping in, with room for the readers to grow.
MAX_BYTES=$((20 * 1024 * 1024))

echo "== import check"
scripts/check-imports.sh

echo "== release build (static)"
# -Osize: the scanner waits on the file system, not the CPU, and the binary goes onto rescue sticks; measured
# 15.9 MB stripped against 16.2 MB with -O at 0.1 (the Swift runtime and FoundationEssentials make up ~14 MB of it).
FLAGS=(-c release -Xswiftc -static-executable -Xswiftc -Osize --scratch-path .build-release)
# The executable only: the test support target imports Testing, which a static build has no module for.
swift build "${FLAGS[@]}" --product hvexclude
BUILT=$(swift build "${FLAGS[@]}" --show-bin-path)/hvexclude

VERSION=$("$BUILT" --version | awk '{print $2}')
ARCH=$(uname -m)
mkdir -p dist
OUT="dist/hvexclude-${VERSION}-linux-${ARCH}"
cp "$BUILT" "$OUT"
strip "$OUT"
(cd dist && sha256sum "$(basename "$OUT")" > "$(basename "$OUT").sha256")

echo "== static?"
LDD=$(ldd "$OUT" 2>&1 || true)
FILE=$(file "$OUT" 2>/dev/null || true)
if ! grep -q "not a dynamic executable" <<<"$LDD" && ! grep -q "statically linked" <<<"$FILE"; then
    echo "error: $OUT is not statically linked" >&2
    echo "ldd: $LDD" >&2
    echo "file: $FILE" >&2
    exit 1
fi
echo "ok: ${LDD//$'\n'/ } / ${FILE#*: }"

SIZE=$(stat -c %s "$OUT")
echo "== size: $SIZE bytes ($(awk "BEGIN{printf \"%.1f\", $SIZE/1048576}") MiB stripped)"
if [ "$SIZE" -gt "$MAX_BYTES" ]; then
    echo "error: $OUT is larger than 20 MiB stripped" >&2
    exit 1
fi

echo "== start time (--version, median of 20 runs)"
python3 - "$OUT" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(20):
    start = time.perf_counter()
    subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - start) * 1000)
median = statistics.median(times)
print(f"median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}); target < 50 ms"
      + ("" if median < 50 else "  -- SLOWER THAN TARGET"))
PY

echo "== env -i run from an empty folder vs swift run"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ $# -ge 1 ]; then
    TREE=$(cd "$1" && pwd)
else
    TREE="$WORK/tree"
    mkdir -p "$TREE/ProgramData/Microsoft/Windows/Hyper-V/Virtual Machines" "$TREE/VMs/Virtual Hard Disks"
    printf 'not really a disk' > "$TREE/VMs/Virtual Hard Disks/web.vhdx"
    printf '<configuration/>' > "$TREE/ProgramData/Microsoft/Windows/Hyper-V/Virtual Machines/3F1D2E4C-5B6A-4798-8A9B-0C1D2E3F4A5B.xml"
    mkdir -p "$TREE/Windows/System32"
    printf 'MZ' > "$TREE/Windows/System32/vmms.exe"
fi
mkdir "$WORK/empty"
BINARY=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
set +e
(cd "$WORK/empty" && env -i "$BINARY" scan "$TREE" --quiet > "$WORK/release.json")
RELEASE_STATUS=$?
swift run -q hvexclude scan "$TREE" --quiet > "$WORK/debug.json"
DEBUG_STATUS=$?
set -e
if [ "$RELEASE_STATUS" != "$DEBUG_STATUS" ]; then
    echo "error: exit codes differ: release $RELEASE_STATUS, swift run $DEBUG_STATUS" >&2
    exit 1
fi
python3 - "$WORK/release.json" "$WORK/debug.json" <<'PY'
import json, sys
def load(path):
    with open(path) as f:
        report = json.load(f)
    for key in ("durationSeconds", "startedAt"):
        report.get("scan", {}).pop(key, None)
    return report
release, debug = load(sys.argv[1]), load(sys.argv[2])
if release != debug:
    print("error: the release binary's JSON differs from swift run's", file=sys.stderr)
    for key in sorted(set(release) | set(debug)):
        if release.get(key) != debug.get(key):
            print(f"  differs at {key!r}:\n    release: {json.dumps(release.get(key))[:400]}\n    debug:   {json.dumps(debug.get(key))[:400]}", file=sys.stderr)
    sys.exit(1)
print(f"ok: same JSON ({len(release.get('artifacts', []))} artifacts, exit code equal)")
PY
echo "== done: $OUT ($SIZE bytes), $OUT.sha256"
