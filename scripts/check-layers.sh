#!/usr/bin/env bash
# Fails when a folder of the library names a type declared in a folder above it (docs/architecture.md):
#   Binary ← Walk ← Volume ← Formats ← Inventory ← Exclusions ← Diagnosis ← Scan ← DiskImage ← Report (← the executable)
# A folder may use the types of its own folder and of every folder below it, never above. Top-level type
# declarations (struct/enum/class/protocol/actor/typealias at column 0) define a folder's names; uses are
# whole words in code with comments stripped (// to end of line), so doc references do not count.
set -euo pipefail
cd "$(dirname "$0")/.."
src=Sources/HVExclude
layers=(Binary Walk Volume Formats Inventory Exclusions Diagnosis Scan DiskImage Report)

for folder in "$src"/*/; do
    name=$(basename "$folder")
    found=0
    for layer in "${layers[@]}"; do [[ $layer == "$name" ]] && found=1; done
    if [[ $found == 0 ]]; then echo "error: $src/$name is not in the layer list of $0" >&2; exit 1; fi
done

declared() { # the top-level type names declared under one folder
    grep -rhoE '^(public |package |internal |fileprivate |private )?(final )?(indirect )?(struct|enum|class|protocol|actor|typealias) [A-Za-z_][A-Za-z0-9_]*' \
        "$src/$1" 2>/dev/null | awk '{print $NF}' | sort -u
}

status=0
for ((i = 0; i < ${#layers[@]}; i++)); do
    lower=${layers[$i]}
    [[ -d $src/$lower ]] || continue
    above=()
    for ((j = i + 1; j < ${#layers[@]}; j++)); do
        while IFS= read -r type; do [[ -n $type ]] && above+=("$type:${layers[$j]}"); done < <(declared "${layers[$j]}")
    done
    code=$(find "$src/$lower" -name '*.swift' -print0 | xargs -0 awk '{ sub(/\/\/.*/, ""); print FILENAME ":" FNR ": " $0 }')
    for entry in "${above[@]}"; do
        type=${entry%%:*}
        owner=${entry#*:}
        hits=$(grep -E "^[^:]+:[0-9]+: .*\\b$type\\b" <<<"$code" || true)
        if [[ -n $hits ]]; then
            echo "error: $lower uses $type, declared in $owner (above it):" >&2
            awk 'NR <= 5 { print "    " $0 }' <<<"$hits" >&2
            status=1
        fi
    done
done
if [[ $status == 0 ]]; then echo "ok: no folder of $src names a type from a folder above it (${layers[*]})"; fi

# The library never prints or exits: the command line (Sources/hvexclude) owns stdout, stderr and exit codes.
if grep -rnE '(^|[^.A-Za-z_])(print|exit|_exit|fputs|perror)\(|STDERR_FILENO|STDOUT_FILENO' "$src" | grep -vE '^[^:]+:[0-9]+:\s*//'; then
    echo "error: the library above prints or exits; return values or typed errors and let Sources/hvexclude print" >&2
    status=1
else
    echo "ok: $src never prints or exits"
fi
exit $status
