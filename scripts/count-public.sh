#!/usr/bin/env bash
# Counts the `public` (and `open`) declarations of the library targets (Sources/HVExclude) and fails above the
# budget: public is the library's API (docs/architecture.md, "Public API") and what the executable needs that a
# library user needs too; everything the targets share among themselves is `package`.
# A declaration counts once per line that starts with the modifier (after attributes); `public import` is no
# declaration. Usage: scripts/count-public.sh [-v]   (-v lists them)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=120
pattern='^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*(nonisolated\s+)?(public|open)\s+(?!import\s)'
list=$(grep -rnP "$pattern" Sources/HVExclude --include='*.swift' || true)
count=$(grep -c . <<< "$list" || true)
[[ ${1:-} == -v ]] && echo "$list"
if (( count > budget )); then
    echo "error: $count public declarations in Sources/HVExclude, over the budget of $budget: make what only the targets use \`package\`" >&2
    exit 1
fi
echo "ok: $count public declarations in Sources/HVExclude (budget $budget)"
