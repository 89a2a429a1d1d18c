#!/usr/bin/env bash
# fuzz.sh PARSER|all SECONDS [libFuzzer options...] — builds and runs the libFuzzer harnesses in scripts/fuzz/.
#
# PARSER: vhdx vhd regf regflog vmcx vmxml windowspath reparse evtx ntfs (or `all`, run one after another).
# The library is compiled once with -sanitize=fuzzer,address into .build-fuzz/ (rebuilt when a source changes),
# each harness links against it. Seeds come from ../shared/fixtures and freshly generated fixtures
# (scripts/make-disks, make-hives, make-vmcx), all in a temporary folder; nothing is copied into the repository.
# A crash leaves its input in .build-fuzz/artifacts/PARSER/; the script exits non-zero.
# Environment: FUZZ_KEEP_CORPUS=DIR keeps the grown corpora in DIR/PARSER; FUZZ_BUILD_ONLY=1 only builds.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PARSERS=(vhdx vhd regf regflog vmcx vmxml windowspath reparse evtx ntfs)
usage() { echo "usage: scripts/fuzz.sh {$(IFS=\|; echo "${PARSERS[*]}")|all} SECONDS [libFuzzer options...]" >&2; exit 64; }
[[ $# -ge 2 ]] || usage
TARGET=$1 SECONDS_EACH=$2
shift 2
[[ $SECONDS_EACH =~ ^[0-9]+$ ]] || usage
if [[ $TARGET == all ]]; then
    selected=("${PARSERS[@]}")
else
    [[ " ${PARSERS[*]} " == *" $TARGET "* ]] || usage
    selected=("$TARGET")
fi

SWIFTC=${SWIFTC:-swiftc}
BUILD="$ROOT/.build-fuzz"
FLAGS=(-O -g -sanitize=fuzzer,address -swift-version 6 -I "$ROOT/Sources/CSystemShims")
mkdir -p "$BUILD/bin" "$BUILD/artifacts"

# --- build ------------------------------------------------------------------------------------------------
library_sources() { find "$ROOT/Sources/HVExclude" -name '*.swift' | LC_ALL=C sort; }
stamp=$( { library_sources | xargs cat; cat "$ROOT/Sources/CSystemShims/"*; echo "${FLAGS[*]}"; "$SWIFTC" --version 2>&1; } \
    | sha256sum | cut -c1-16)
LIB="$BUILD/lib-$stamp"
if [[ ! -f $LIB/libHVExclude.a ]]; then
    echo "fuzz: building the instrumented library ($LIB)" >&2
    rm -rf "$BUILD"/lib-*
    mkdir -p "$LIB.tmp"
    # -enable-testing: the harnesses reach the parsers' internal API with @testable import; the library's
    # public API is only what the executable and a library user need (docs/architecture.md).
    # The layers' targets compiled together as one module HVExclude (scripts/lib/one-module.sh).
    source "$ROOT/scripts/lib/one-module.sh"
    mapfile -t sources < <(library_sources)
    mapfile -t copies < <(one_module_sources "$LIB.tmp/sources" "${sources[@]}")
    (cd "$LIB.tmp" && "$SWIFTC" -emit-library -static -emit-module -module-name HVExclude "${ONE_MODULE_FLAGS[@]}" \
        -parse-as-library -enable-testing "${FLAGS[@]}" "${copies[@]}" -o libHVExclude.a) >"$BUILD/build.log" 2>&1 \
        || { cat "$BUILD/build.log" >&2; exit 1; }
    mv "$LIB.tmp" "$LIB"
fi
for parser in "${selected[@]}"; do
    binary="$BUILD/bin/fuzz-$parser"
    harness=("$ROOT/scripts/fuzz/$parser.swift" "$ROOT"/scripts/fuzz/Support/*.swift)
    newest=$(ls -t "${harness[@]}" "$LIB/libHVExclude.a" | head -1)
    if [[ ! -x $binary || $newest -nt $binary ]]; then
        echo "fuzz: linking $binary" >&2
        # ld.gold warns about every ASan helper symbol; only failures matter.
        "$SWIFTC" -parse-as-library "${FLAGS[@]}" "${ONE_MODULE_FLAGS[@]}" -I "$LIB" -module-name "Fuzz_$parser" \
            "${harness[@]}" "$LIB/libHVExclude.a" -o "$binary" >"$BUILD/link-$parser.log" 2>&1 \
            || { grep -v 'Cannot export local symbol' "$BUILD/link-$parser.log" >&2; exit 1; }
    fi
done
[[ ${FUZZ_BUILD_ONLY:-0} == 1 ]] && exit 0

# --- seeds --------------------------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hvexclude-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
sources=()
[[ -d $ROOT/../shared/fixtures ]] && sources+=("$ROOT/../shared/fixtures")
[[ -d /work/shared/fixtures && ! -d $ROOT/../shared/fixtures ]] && sources+=(/work/shared/fixtures)
# Generated fixtures, including make-disks' corrupt variants; a missing tool only costs those seeds.
"$ROOT/scripts/make-disks" --no-check "$WORK/gen/disks" >/dev/null 2>&1 && sources+=("$WORK/gen/disks") \
    || echo "fuzz: make-disks failed; no generated disk seeds" >&2
"$ROOT/scripts/make-hives" "$WORK/gen/hives" >/dev/null 2>&1 && sources+=("$WORK/gen/hives") \
    || echo "fuzz: make-hives failed; no generated hive seeds" >&2
if [[ -x $ROOT/scripts/make-evtx ]]; then
    "$ROOT/scripts/make-evtx" --no-check demo "$WORK/gen/evtx" >/dev/null 2>&1 && sources+=("$WORK/gen/evtx") \
        || echo "fuzz: make-evtx failed; no generated event log seeds" >&2
    # Every record shape the reader must read whole (direct elements with and without dependency ids, forwarded
    # logs, zero and wrong chunk checksums, UserData attributes).
    "$ROOT/scripts/make-evtx" --no-check shapes "$WORK/gen/evtx-shapes" >/dev/null 2>&1 && sources+=("$WORK/gen/evtx-shapes") \
        || echo "fuzz: make-evtx shapes failed; no record-shape seeds" >&2
fi
if [[ -x $ROOT/scripts/make-vmcx ]]; then
    "$ROOT/scripts/make-vmcx" demo "$WORK/gen/vmcx" >/dev/null 2>&1 && sources+=("$WORK/gen/vmcx") \
        || echo "fuzz: make-vmcx failed; no generated configuration seeds" >&2
fi

# --- run ------------------------------------------------------------------------------------------------------
status=0
summary=()
for parser in "${selected[@]}"; do
    seeds="$WORK/seeds-$parser"
    "$ROOT/scripts/fuzz/make-seeds" "$parser" "$seeds" "${sources[@]}" >&2
    # Inputs that once crashed stay in every run's seeds.
    if [[ -d $ROOT/Tests/HVExcludeTests/Corpus/$parser ]]; then cp "$ROOT/Tests/HVExcludeTests/Corpus/$parser/"* "$seeds/" 2>/dev/null || true; fi
    corpus="${FUZZ_KEEP_CORPUS:+$FUZZ_KEEP_CORPUS/$parser}"
    corpus="${corpus:-$WORK/corpus-$parser}"
    artifacts="$BUILD/artifacts/$parser"
    mkdir -p "$corpus" "$artifacts"
    log="$WORK/$parser.log"
    echo "fuzz: $parser for ${SECONDS_EACH}s" >&2
    set +e
    # -malloc_limit_mb: any single allocation over 512 MiB is reported as a crash (the allocation-cap check).
    # -detect_leaks=0: the Swift runtime's metadata caches look like leaks to LSan.
    # Swift's own crash handler fights ASan; with it off, a Swift trap (SIGILL) gets ASan's symbolised stack.
    (cd "$WORK" && TMPDIR="$WORK" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=handle_sigill=1:handle_abort=1 \
        "$BUILD/bin/fuzz-$parser" -handle_ill=0 -handle_abrt=0 -max_len=65536 -max_total_time="$SECONDS_EACH" \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds") >"$log" 2>&1
    rc=$?
    set -e
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    [[ -n $done_line ]] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$done_line")
    crash_files=$(grep -oE 'Test unit written to [^ ]+' "$log" | awk '{print $5}' || true)
    crashes=$(grep -c . <<<"$crash_files" || true)
    grep -E '^stat::|DONE' "$log" >&2 || true
    if [[ $rc -ne 0 ]]; then
        status=1
        echo "fuzz: $parser exited with $rc; the log follows" >&2
        grep -vE '^#[0-9]+|^INFO:|^\s*$' "$log" | tail -60 >&2
    fi
    line="$parser: execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} findings=$crashes exit=$rc"
    [[ -n $crash_files ]] && line+=" artifacts=$(tr '\n' ' ' <<<"$crash_files")"
    summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit $status
