#!/usr/bin/env bash
# Shows that the layer checks catch what they are for, on a scratch copy of Package.swift and Sources with planted
# violations (the three that once passed a grep-based check):
#   1. Volume uses Diagnosis's `hasHyperVExtension`  — an upward import: the compiler must refuse it;
#   2. Formats uses Scan's `extensionKey`           — an upward import: the compiler must refuse it;
#   3. the library calls fatalError, abort() and write(2, …) — scripts/check-layers.sh must report each one,
#      and not a string literal or comment that merely mentions print( or exit(.
# The upward imports are planted after the modules above were built, the case where an incremental build without
# `--explicit-target-dependency-import-check error` would find the module and compile the import.
# Usage: scripts/check-layers-selftest.sh     (about 3 minutes: a debug build of the library's lower targets)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hvx-layers-selftest.XXXXXX")
# SwiftPM also leaves lock files for the scratch package in the temporary folder, named after its path.
trap 'rm -rf "$scratch" "${TMPDIR:-/tmp}/$(tr / _ <<<"$scratch")"_.build*.lock' EXIT
cp -R "$repo/Package.swift" "$repo/Sources" "$scratch/"
mkdir -p "$scratch/Tests/HVExcludeTests" "$scratch/Tests/HVExcludeCLITests"   # targets Package.swift names
cp -R "$repo/Tests/HVExcludeTestSupport" "$scratch/Tests/"
failed=0
build() { swift build --package-path "$scratch" --explicit-target-dependency-import-check error "$@"; }

echo "== building the lower targets of the scratch copy (the modules an upward import would find)"
build --target HVXScan > "$scratch/build.log" 2>&1 || { cat "$scratch/build.log" >&2; exit 1; }

plant_upward() { # target folder, module above, expression, label
    local folder=$1 module=$2 expression=$3 label=$4 file="$scratch/Sources/HVExclude/$1/PlantedUpward.swift"
    printf 'import HVXVolume\nimport %s\n\nextension WindowsPath {\n    var plantedUpward: Bool { %s }\n}\n' \
        "$module" "$expression" > "$file"
    [[ $folder == Volume ]] && sed -i '/^import HVXVolume$/d' "$file"
    local target=HVX$folder
    if build --target "$target" > "$scratch/upward.log" 2>&1; then
        echo "FAIL: $label: swift build accepted the upward import" >&2
        failed=1
    else
        echo "ok: $label: swift build refuses it:"
        grep -E "error:" "$scratch/upward.log" | sed 's|^|    |' | sort -u | head -3
    fi
    rm "$file"
}
plant_upward Volume HVXDiagnosis 'hasHyperVExtension' "Volume uses Diagnosis's hasHyperVExtension"
plant_upward Formats HVXScan 'extensionKey != nil' "Formats uses Scan's extensionKey"

echo "== planting fatalError, abort() and write(2, …) in the library, next to harmless mentions"
cat > "$scratch/Sources/HVExclude/Binary/PlantedExit.swift" <<'EOF'
import Glibc

// A comment may say print("x") or exit(1).
let plantedMessage = "print(\"report\") then exit(2) or fatalError(\"no\")"
let plantedMultiLine = """
    write(2, buffer, 1) and abort() in a multi-line string, \(plantedMessage.count) with interpolation
    """
func plantedTrap() -> Never { fatalError("planted") }
func plantedAbort() -> Never { abort() }
func plantedWrite() { _ = write(2, plantedMessage, 1) }
EOF
set +e
report=$("$repo/scripts/check-layers.sh" "$scratch" 2>&1)
status=$?
set -e
for line in 8:fatalError 9:abort 10:write; do
    if grep -q "PlantedExit.swift:${line%%:*}:" <<<"$report"; then
        echo "ok: check-layers.sh reports ${line#*:} (PlantedExit.swift:${line%%:*})"
    else
        echo "FAIL: check-layers.sh missed ${line#*:}" >&2
        failed=1
    fi
done
if grep -qE 'PlantedExit.swift:[1-7]:' <<<"$report"; then
    echo "FAIL: check-layers.sh reported a comment or string literal:" >&2
    grep -E 'PlantedExit.swift:[1-7]:' <<<"$report" >&2
    failed=1
else
    echo "ok: comments and string literals that mention print(, exit(, write(2, abort() are not reported"
fi
[[ $status != 0 ]] || { echo "FAIL: check-layers.sh exited 0" >&2; failed=1; }
exit $failed
