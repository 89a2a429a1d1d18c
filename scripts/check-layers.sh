#!/usr/bin/env bash
# What the compiler cannot check about the layers (docs/architecture.md). The layer graph itself is Package.swift:
# each folder of Sources/HVExclude is one target, so an upward import does not compile (CI builds with
# `--explicit-target-dependency-import-check error`, which also refuses an import that only an incremental build
# would find). This script checks the rest:
#   1. every folder of Sources/HVExclude is a target in Package.swift (SwiftPM would silently build nothing
#      from a folder no target names);
#   2. the library never prints, exits or traps: no print/debugPrint/dump, exit/_exit/abort/fatalError,
#      fputs/fprintf/perror/puts, stdout/stderr/STDOUT_FILENO/STDERR_FILENO, nor write(1|2, …) — the
#      executable (Sources/hvexclude) owns the process. Comments and string literals (also multi-line ones and
#      nested interpolations) are removed first, so a message that mentions `exit(` is no violation.
# Usage: scripts/check-layers.sh [ROOT]   (ROOT defaults to the repository; scripts/check-layers-selftest.sh
#        runs it on a scratch copy with planted violations)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
lib=$(cd "$(dirname "$0")/lib" && pwd)   # swift_source.py, the lexer
cd "$root"
src=Sources/HVExclude
status=0

for folder in "$src"/*/; do
    folder=${folder%/}
    # The name may be on the line after `layer(` (swift format breaks a long call).
    if ! tr '\n' ' ' < Package.swift | grep -qE "layer\(\s*\"${folder##*/}\""; then
        echo "error: $folder is no target of Package.swift (layer(\"${folder##*/}\", …))" >&2
        status=1
    fi
done
[[ $status == 0 ]] && echo "ok: every folder of $src is a target of Package.swift"

# Prints file:line: text for every forbidden call, after a small Swift lexer has blanked comments and strings.
violations=$(find "$src" -name '*.swift' -print0 | sort -z | xargs -0 env PYTHONPATH="$lib" python3 -c '
import re, sys

from swift_source import code_only

forbidden = re.compile(
    r"(?<![\w.])(print|debugPrint|dump|exit|_exit|abort|fatalError|fputs|fprintf|perror|puts|putchar)\s*\("
    r"|(?<![\w.])(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)(?!\w)"
    r"|(?<![\w.])write\s*\(\s*(1|2)\s*,")
for path in sys.argv[1:]:
    source = open(path, encoding="utf-8").read()
    for number, line in enumerate(code_only(source).split("\n"), 1):
        if forbidden.search(line):
            print("%s:%d: %s" % (path, number, source.split("\n")[number - 1].strip()))
')
if [[ -n $violations ]]; then
    echo "$violations" >&2
    echo "error: the library above prints, exits or traps; return values or typed errors and let Sources/hvexclude act" >&2
    status=1
else
    echo "ok: $src never prints, exits or traps"
fi
exit $status
