#!/usr/bin/env bash
# Times `hvexclude scan IMAGE` (the native NTFS reader: one sequential pass over the MFT) against
# `hvexclude scan MOUNT` over the ntfs-3g mount of the same image, and Sleuth Kit's `fls -r`, on an NTFS image
# holding the walker benchmark's 400k-entry tree (scripts/lib/bench-walk-tree.py at scale 1.0).
#
# Usage: scripts/bench-native.sh [RECORDS]
#   RECORDS    about how many MFT records the image holds (files and folders; default 445000, the scale-1.0
#              tree); e.g. `scripts/bench-native.sh 1200000` makes and times a 1.2M-record image
# Environment:
#   BENCH_DIR  work folder outside the repository (default /tmp/hvx-bench): tree-SCALE/, ntfs-SCALE.img (made
#              once per scale, through ntfs-3g, and reused)
#   ROUNDS     timed rounds per reader after one warm-up (default 3); medians are printed
#   SCALE      tree scale, instead of RECORDS (1.0 ≈ 400k files, 40k folders, 445k records)
#   READERS    which readers to time (default "native mounted fls")
#   HVX        the hvexclude binary to time (default: this checkout's release build, built when missing or stale;
#              another build, e.g. main's, compares the two under the same conditions)
#   PREPARE    1: only make the tree and the image, time nothing
# Prints each reader's median wall time and peak RSS (/usr/bin/time -v's "Maximum resident set size"), the
# ratio mounted/native of the times and native/mounted of the peaks.
# Needs: root and /dev/fuse, mkntfs and ntfs-3g (Debian ntfs-3g), fls (Debian sleuthkit), python3,
# /usr/bin/time, and a release build (built here when missing).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/hvx-bench}
ROUNDS=${ROUNDS:-3}
if [[ $# -gt 0 ]]; then
    [[ $1 =~ ^[0-9]+$ && $1 -ge 1000 ]] || { echo "usage: $0 [RECORDS] (at least 1000)" >&2; exit 64; }
    SCALE=$(awk -v r="$1" 'BEGIN { printf "%.3f", r / 445000 }')
fi
SCALE=${SCALE:-1.0}
# The scale-1.0 files keep their first names (tree/, ntfs-400k.img), so an image made before is reused.
if [[ $SCALE == 1.0 || $SCALE == 1.000 ]]; then LABEL=400k; TREE="$BENCH_DIR/tree"; else LABEL=$SCALE; TREE="$BENCH_DIR/tree-$SCALE"; fi
IMAGE="$BENCH_DIR/ntfs-$LABEL.img"
MOUNT="$BENCH_DIR/ntfs-$LABEL.mnt"
# 4 GiB per 445k records (sparse; the MFT alone takes 1 KiB a record).
IMAGE_GIB=$(awk -v s="$SCALE" 'BEGIN { g = int(4 * s + 0.999); print (g < 4 ? 4 : g) }')
BUILT="$REPO/.build/release/hvexclude"
HVX=${HVX:-$BUILT}

case "$BENCH_DIR" in "$REPO"*) echo "BENCH_DIR must lie outside the repository" >&2; exit 64 ;; esac
for tool in python3 mkntfs ntfs-3g fls /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "missing: $tool" >&2; exit 2; }
done
[[ $(id -u) == 0 && -e /dev/fuse ]] || { echo "needs root and /dev/fuse (ntfs-3g mount)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"
if [[ ${PREPARE:-0} != 1 && $HVX == "$BUILT" ]] && [[ ! -x $HVX || -n $(find "$REPO/Sources" -newer "$HVX" -name '*.swift' -print -quit) ]]; then
    echo "building the release binary" >&2
    (cd "$REPO" && swift build -c release --product hvexclude > /dev/null)
fi

if [[ ! -f $TREE.stamp ]]; then
    rm -rf "$TREE"
    python3 "$REPO/scripts/lib/bench-walk-tree.py" "$TREE" --scale "$SCALE" > "$TREE.stamp.tmp"
    mv "$TREE.stamp.tmp" "$TREE.stamp"
fi
echo "tree: $(cat "$TREE.stamp") (scale $SCALE)" >&2
if [[ ! -f $IMAGE.stamp ]]; then
    echo "building $IMAGE through ntfs-3g (once)" >&2
    rm -f "$IMAGE"
    truncate -s "${IMAGE_GIB}G" "$IMAGE"
    mkntfs -F -Q -q -L hvx-bench "$IMAGE"
    mkdir -p "$MOUNT"
    ntfs-3g -o rw,noatime,big_writes "$IMAGE" "$MOUNT"
    cp -a "$TREE/." "$MOUNT/"
    umount "$MOUNT"
    cp "$TREE.stamp" "$IMAGE.stamp"
fi

[[ ${PREPARE:-0} == 1 ]] && exit 0
mkdir -p "$MOUNT"
mountpoint -q "$MOUNT" || ntfs-3g -o ro "$IMAGE" "$MOUNT"
trap 'umount "$MOUNT" 2>/dev/null || true' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A seconds rss
read -r -a readers <<< "${READERS:-native mounted fls}"
command_for() {
    case $1 in
        native) echo "$HVX scan $IMAGE --format json --quiet" ;;
        mounted) echo "$HVX scan $MOUNT --format json --quiet" ;;
        fls) echo "fls -r $IMAGE" ;;
    esac
}
for reader in "${readers[@]}"; do
    # Warm-up (the image in the page cache); a scan that refuses (2) or misreads its options (64) is not timed.
    status=0
    sh -c "$(command_for "$reader") > /dev/null 2>&1" || status=$?
    if [[ $reader != fls && ( $status == 2 || $status == 64 ) ]]; then
        echo "$reader: exit $status, nothing to time: $(command_for "$reader")" >&2
        exit 1
    fi
    times=() peaks=()
    for _ in $(seq "$ROUNDS"); do
        read -r t m < <(/usr/bin/time -v sh -c "$(command_for "$reader") > /dev/null 2>&1 || true" 2>&1 >/dev/null | awk '
            /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
            /Maximum resident set size/ { m = $NF }
            END { print s, m }')
        times+=("$t") peaks+=("$m")
    done
    seconds[$reader]=$(printf '%s\n' "${times[@]}" | median)
    rss[$reader]=$(printf '%s\n' "${peaks[@]}" | median)
    echo "$reader: ${times[*]} s" >&2
done

printf '%-8s %10s %12s   %s\n' reader seconds "peak RSS" command
for reader in "${readers[@]}"; do
    printf '%-8s %10s %9s MiB   %s\n' "$reader" "${seconds[$reader]}" "$(( ${rss[$reader]} / 1024 ))" "$(command_for "$reader")"
done
if [[ -n ${seconds[native]:-} && -n ${seconds[mounted]:-} ]]; then
    awk -v n="${seconds[native]}" -v m="${seconds[mounted]}" -v rn="${rss[native]}" -v rm="${rss[mounted]}" 'BEGIN {
        printf "native is %.1fx faster than the ntfs-3g mount scan; its peak RSS is %.2fx the mount scan'"'"'s\n", m / n, rn / rm }'
fi
echo "(wall-clock medians of $ROUNDS warm rounds; the machine may be shared: read ratios, not absolutes)"
