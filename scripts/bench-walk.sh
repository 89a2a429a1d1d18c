#!/usr/bin/env bash
# Times the directory walker against find, fd and bfs doing the same case-insensitive extension match,
# on a reproducible synthetic Windows-like tree (≈400k files, ≈40k dirs, a few dozen Hyper-V files).
#
# Usage: scripts/bench-walk.sh [local|ntfs|all]      (default: local)
#   local  the tree on the local disk, under $BENCH_DIR (never inside the repository)
#   ntfs   a ≈60k-file copy inside an NTFS image (mkntfs on a sparse file) mounted read-only by ntfs-3g
# Environment:
#   BENCH_DIR  work folder (default /tmp/hvx-bench): tree/, tree-small/, ntfs.img, bin/bench-walk
#   ROUNDS     alternating rounds per tool (default 5); medians are printed
#   JOBS       threads for the walker and fd (default: nproc)
#   HVX_CMD    an extra command to time, with "$ROOT" in it, e.g. the CLI once it exists:
#              '.build/release/hvexclude scan "$ROOT" --format json > /dev/null'
#              (used by default when .build/release/hvexclude answers `scan --help`)
# The walker itself is timed through scripts/lib/bench-walk-harness.swift, compiled here with swiftc together
# with Sources/HVExclude/Walk and the Binary files it uses, as one module (outside Package.swift). Wall time is
# measured around each process; peak RSS is
# /usr/bin/time's %M. Needs: python3, swiftc, fdfind (fd-find), bfs, /usr/bin/time; ntfs mode: mkntfs and
# ntfs-3g (ntfs-3g package), root and /dev/fuse.
set -euo pipefail

MODE=${1:-local}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/hvx-bench}
ROUNDS=${ROUNDS:-5}
JOBS=${JOBS:-$(nproc)}
GENERATOR="$REPO/scripts/lib/bench-walk-tree.py"
HARNESS="$BENCH_DIR/bin/bench-walk"
FD_REGEX='\.(vhdx?|avhdx?|vhds|vmcx|vmrs|vmgs|vsv|iso)$'
FIND_EXPR=(-type f \( -iname '*.vhd' -o -iname '*.vhdx' -o -iname '*.avhd' -o -iname '*.avhdx' -o -iname '*.vhds'
    -o -iname '*.vmcx' -o -iname '*.vmrs' -o -iname '*.vmgs' -o -iname '*.vsv' -o -iname '*.iso' \))

case "$MODE" in local | ntfs | all) ;; *)
    echo "usage: $0 [local|ntfs|all]" >&2
    exit 64
    ;;
esac
case "$BENCH_DIR" in "$REPO"*)
    echo "BENCH_DIR must lie outside the repository" >&2
    exit 64
    ;;
esac
for tool in python3 swiftc fdfind bfs find /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "missing: $tool" >&2; exit 2; }
done
mkdir -p "$BENCH_DIR/bin"

if [[ -z "${HVX_CMD:-}" && -x "$REPO/.build/release/hvexclude" ]] &&
    "$REPO/.build/release/hvexclude" scan --help > /dev/null 2>&1; then
    # Exit 1 is a finished scan that met unreadable inputs (the synthetic tree's Hyper-V files are stand-ins).
    HVX_CMD="\"$REPO/.build/release/hvexclude\" scan \"\$ROOT\" --format json --quiet > /dev/null || [ \$? -eq 1 ]"
fi

# The harness, rebuilt when a walker source is newer than it; the walker's layers compiled as one module
# (scripts/lib/one-module.sh).
source "$REPO/scripts/lib/one-module.sh"
build_harness() {
    local sources=("$REPO"/Sources/HVExclude/Walk/*.swift "$REPO/Sources/HVExclude/Binary/SystemError.swift"
        "$REPO/Sources/HVExclude/Binary/DiagnosticCode.swift"
        "$REPO/Sources/HVExclude/Binary/LongPath.swift" "$REPO/scripts/lib/bench-walk-harness.swift")
    local stale=0 file copies
    [[ -x "$HARNESS" ]] || stale=1
    for file in "${sources[@]}"; do [[ "$file" -nt "$HARNESS" ]] && stale=1; done
    if ((stale)); then
        echo "building $HARNESS (swiftc -O)" >&2
        mapfile -t copies < <(one_module_sources "$BENCH_DIR/bin/bench-walk-sources" "${sources[@]}")
        swiftc -O -wmo -parse-as-library -module-name BenchWalk "${ONE_MODULE_FLAGS[@]}" \
            -I "$REPO/Sources/CSystemShims" "${copies[@]}" -o "$HARNESS"
    fi
}

# A tree is made once and reused; the stamp holds the generator's counts.
make_tree() { # dir scale
    local dir=$1 scale=$2
    if [[ ! -f "$dir.stamp" ]]; then
        rm -rf "$dir"
        echo "generating $dir (scale $scale)" >&2
        python3 "$GENERATOR" "$dir" --scale "$scale" > "$dir.stamp"
    fi
    echo "tree $dir: $(cat "$dir.stamp")" >&2
}

tool_names=(walker fd bfs find)
# Sets CMD to the argv that times tool $1 on root $2 (run directly, so nothing else is measured).
tool_argv() { # name root
    local root=$2
    case "$1" in
    walker) CMD=("$HARNESS" "$root" --jobs "$JOBS") ;;
    fd) CMD=(fdfind -uu -j"$JOBS" -i -t f "$FD_REGEX" "$root") ;;
    bfs) CMD=(bfs "$root" "${FIND_EXPR[@]}") ;;
    find) CMD=(find "$root" "${FIND_EXPR[@]}") ;;
    cli) CMD=(env ROOT="$root" sh -c "$HVX_CMD") ;;
    esac
}

# Alternating rounds; one line per run: tool wall_us rss_kib user_s sys_s. CPU time (user+sys) is printed
# too: on a shared, loaded machine it moves less than wall time.
bench() { # label root
    local label=$1 root=$2 results="$BENCH_DIR/results-$1.txt" names=("${tool_names[@]}")
    [[ -n "${HVX_CMD:-}" ]] && names+=(cli)
    : > "$results"
    echo "== $label: $root  (rounds $ROUNDS, jobs $JOBS)" >&2
    for name in "${names[@]}"; do # warm-up, and the match counts must agree
        tool_argv "$name" "$root"
        printf '   %-7s %s matches\n' "$name" "$("${CMD[@]}" 2> /dev/null | wc -l)" >&2
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        for name in "${names[@]}"; do
            local start end
            tool_argv "$name" "$root"
            start=$(date +%s%N)
            /usr/bin/time -f '%M %U %S' -o "$BENCH_DIR/rss.txt" "${CMD[@]}" > /dev/null 2>&1
            end=$(date +%s%N)
            echo "$name $(((end - start) / 1000)) $(tail -1 "$BENCH_DIR/rss.txt")" >> "$results"
        done
    done
    python3 - "$results" "$label" << 'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
tools = list(dict.fromkeys(r[0] for r in rows))
wall = {t: [int(r[1]) / 1e6 for r in rows if r[0] == t] for t in tools}
rss = {t: max(int(r[2]) for r in rows if r[0] == t) for t in tools}
cpu = {t: statistics.median(float(r[3]) + float(r[4]) for r in rows if r[0] == t) for t in tools}
fd = statistics.median(wall["fd"])
print(f"{sys.argv[2]}: median wall time of {len(wall['fd'])} alternating rounds")
print(f"  {'tool':7} {'median s':>9} {'min s':>7} {'max s':>7} {'vs fd':>6} {'cpu s':>6} {'cpu vs fd':>9} {'peak RSS MiB':>13}")
for t in tools:
    m = statistics.median(wall[t])
    print(f"  {t:7} {m:9.3f} {min(wall[t]):7.3f} {max(wall[t]):7.3f} {m / fd:6.2f} {cpu[t]:6.2f} {cpu[t] / cpu['fd']:9.2f} {rss[t] / 1024:13.1f}")
EOF
}

build_harness
if [[ "$MODE" == local || "$MODE" == all ]]; then
    make_tree "$BENCH_DIR/tree" 1.0
    bench local "$BENCH_DIR/tree"
fi

if [[ "$MODE" == ntfs || "$MODE" == all ]]; then
    for tool in mkntfs ntfs-3g; do command -v "$tool" > /dev/null || { echo "missing: $tool (apt ntfs-3g)" >&2; exit 2; }; done
    IMAGE="$BENCH_DIR/ntfs.img" MOUNT="$BENCH_DIR/ntfs-mnt"
    mkdir -p "$MOUNT"
    trap 'mountpoint -q "$MOUNT" && umount "$MOUNT"' EXIT
    if [[ ! -f "$IMAGE.stamp" ]]; then
        make_tree "$BENCH_DIR/tree-small" 0.15
        rm -f "$IMAGE"
        truncate -s 4G "$IMAGE"
        mkntfs -F -Q -q -L hvx-bench "$IMAGE"
        ntfs-3g "$IMAGE" "$MOUNT"
        echo "copying tree-small into the NTFS image" >&2
        cp -a "$BENCH_DIR/tree-small" "$MOUNT/tree"
        umount "$MOUNT"
        cp "$BENCH_DIR/tree-small.stamp" "$IMAGE.stamp"
    fi
    ntfs-3g -o ro "$IMAGE" "$MOUNT"
    echo "ntfs image: $(cat "$IMAGE.stamp"), mounted read-only at $MOUNT" >&2
    bench ntfs-3g "$MOUNT/tree"
fi
