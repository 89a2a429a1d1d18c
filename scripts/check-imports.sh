#!/usr/bin/env bash
# Fails when shipped code imports a module outside the allow-list: the tool must link as one fully static
# executable (README.md, "From a rescue system"), so no Foundation, FoundationXML or FoundationNetworking.
# Allowed: FoundationEssentials, Dispatch, Glibc, Synchronization, the C shim (CSystemShims) and the library's own
# layer targets (every `layer("…")` of Package.swift, named HVX…). Tests may import what they like.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed=(FoundationEssentials Dispatch Glibc Synchronization CSystemShims)
# Package.swift declares each layer as `layer("Binary", …)` (the name may be on the next line), the target HVXBinary.
while IFS= read -r folder; do allowed+=("HVX$folder"); done < <(tr '\n' ' ' < Package.swift |
    grep -oE 'layer\(\s*"[A-Za-z]+"' | sed -E 's/.*"([A-Za-z]+)"/\1/')
[[ ${#allowed[@]} -gt 5 ]] || { echo "error: no library targets found in Package.swift" >&2; exit 1; }
pattern=$(IFS='|'; echo "${allowed[*]}")
# Every import line, whatever its attributes or kind (`@testable import`, `import struct X.Y`), minus allowed modules.
if grep -rnE '^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*import\s' Sources --include='*.swift' |
    grep -vE "import\s+((typealias|struct|class|enum|protocol|let|var|func)\s+)?($pattern)(\.[A-Za-z_.]+)?\s*(//.*)?$"; then
    echo "error: shipped sources above import a module outside the allow-list: ${allowed[*]}" >&2
    exit 1
fi
echo "ok: Sources import only ${allowed[*]}"
