#!/usr/bin/env bash
# Functions longer than 60 lines (declaration to closing brace; initialisers, subscripts and deinit too) in the
# shipped sources, against scripts/function-length-allow.txt: each longer function must be listed there as
# `PATH NAME  # reason` (the reason is required). A listed function that is no longer over the limit is reported so its line can go.
# Usage: scripts/check-function-length.sh        (exit 1 when a long function is not listed)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=60
allow=scripts/function-length-allow.txt
long=$(find Sources -name '*.swift' -print0 | sort -z | xargs -0 env PYTHONPATH=scripts/lib python3 \
    scripts/lib/function_lengths.py "$limit")
status=0
while IFS=$'\t' read -r path name line length; do
    [[ -z $path ]] && continue
    if awk -v p="$path" -v n="$name" '$1 == p && $2 == n && $3 ~ /^#/ && NF > 3 { found = 1 } END { exit !found }' "$allow"; then
        echo "allowed: $path:$line $name: $length lines"
    else
        echo "error: $path:$line $name: $length lines (over $limit): split it, or list it in $allow with the reason" >&2
        status=1
    fi
done <<< "$long"
while read -r path name _; do
    [[ -z $path || $path == \#* ]] && continue
    awk -F'\t' -v p="$path" -v n="$name" '$1 == p && $2 == n { found = 1 } END { exit !found }' <<< "$long" || echo "note: $allow lists $path $name, which is no longer over $limit lines"
done < "$allow"
longest=$(cut -f4 <<< "$long" | sort -n | tail -1)
echo "functions over $limit lines: $(grep -c . <<< "$long" || true); the longest: ${longest:-≤ $limit} lines"
exit $status
