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
cd "$root"
src=Sources/HVExclude
status=0

for folder in "$src"/*/; do
    folder=${folder%/}
    if ! grep -qF "layer(\"${folder##*/}\"" Package.swift; then
        echo "error: $folder is no target of Package.swift (layer(\"${folder##*/}\", …))" >&2
        status=1
    fi
done
[[ $status == 0 ]] && echo "ok: every folder of $src is a target of Package.swift"

# Prints file:line: text for every forbidden call, after a small Swift lexer has blanked comments and strings.
violations=$(find "$src" -name '*.swift' -print0 | sort -z | xargs -0 python3 -c '
import re, sys

def code_only(text):
    """The source with comments and string-literal contents replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    stack = []  # open string literals: ("\"" or "\"\"\"", raw hashes, interpolation depth marker)
    def blank(s): return re.sub(r"[^\n]", " ", s)
    while i < n:
        if stack:  # inside a string literal
            quote, hashes = stack[-1]
            close = quote + "#" * hashes
            if text.startswith(close, i):
                stack.pop(); out.append(" " * len(close)); i += len(close); continue
            if text.startswith("\\" + "#" * hashes + "(", i):  # interpolation: code until the matching )
                j = i + 2 + hashes; depth = 1; k = j
                while k < n and depth:
                    if text[k] == "(": depth += 1
                    elif text[k] == ")": depth -= 1
                    k += 1
                out.append(" " * (j - i)); out.append(code_only(text[j:k - 1])); out.append(" "); i = k; continue
            if text[i] == "\\" and hashes == 0: out.append("  " if text[i+1:i+2] != "\n" else " \n"); i += 2; continue
            out.append("\n" if text[i] == "\n" else " "); i += 1; continue
        if text.startswith("//", i):
            j = text.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j; continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j): depth += 1; j += 2
                elif text.startswith("*/", j): depth -= 1; j += 2
                else: j += 1
            out.append(blank(text[i:j])); i = j; continue
        m = re.match(r"(#*)(\"\"\"|\")", text[i:])
        if m and (m.group(1) == "" or not re.match(r"\w", text[i-1:i] or " ")):
            stack.append((m.group(2), len(m.group(1)))); out.append(" " * m.end()); i += m.end(); continue
        out.append(text[i]); i += 1
    return "".join(out)

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
