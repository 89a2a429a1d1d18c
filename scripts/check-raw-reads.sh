#!/usr/bin/env bash
# Fails when library code reads integers out of a raw buffer by hand (`UInt32(b[i]) | UInt32(b[i + 1]) << 8`,
# `value = value << 8 | UInt64(b[i])`,
# `load(fromByteOffset:)`, `loadUnaligned`, `copyMemory`, `assumingMemoryBound`, `bindMemory`): untrusted bytes are
# read through ByteReader (Sources/HVExclude/Binary/ByteReader.swift), whose every read is bounds-checked and
# throws. The exceptions are named here, each with its reason; a new one needs a measurement, a bounds proof in a
# comment and a property test.
set -euo pipefail
cd "$(dirname "$0")/.."
exceptions=(
    # The one reader: where the checked reads are written.
    Sources/HVExclude/Binary/ByteReader.swift
    # The MFT hot loop, a quarter of a native scan: bounds proved in its doc comment, property-tested by
    # Tests/HVExcludeTests/Formats/NTFS/NTFSFastPathAgreementTests.swift.
    Sources/HVExclude/Formats/NTFS/NTFSTree+FastPath.swift
    # getdents64 records the kernel wrote into our buffer, not bytes of a scanned file.
    Sources/HVExclude/Walk/WalkWorker.swift
    Sources/HVExclude/Volume/VolumeFileSystem.swift
    # Marvin32 hashes 4-byte words of a range its callers bound (RegistryLogEntry's checked entry).
    Sources/HVExclude/Formats/RegistryHive/Marvin32.swift
    # Base64: combines decoded 6-bit values, not bytes of a file.
    Sources/HVExclude/Formats/VMConfigXML/Base64Decoder.swift
)
# Both shapes of a hand-made integer: `UInt32(b[i]) << 8 | …` and the loop body `value = value << 8 | UInt64(b[i])`.
pattern='(UInt(8|16|32|64)|Int)\(\s*[A-Za-z_][A-Za-z0-9_.]*\[[^]]+\]\s*\)\s*(<<|\|)|<<\s*8\s*\|\s*U?Int(8|16|32|64)?\(\s*[A-Za-z_][A-Za-z0-9_.]*\[|\.load\(fromByteOffset|loadUnaligned\(|copyMemory\(|assumingMemoryBound|bindMemory'
hits=$(grep -rnE "$pattern" Sources/HVExclude --include='*.swift' | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
for file in "${exceptions[@]}"; do
    [[ -f $file ]] || { echo "error: $0 names $file, which does not exist" >&2; exit 1; }
    hits=$(grep -vF "$file:" <<<"$hits" || true)
done
if [[ -n $hits ]]; then
    echo "$hits" >&2
    echo "error: the lines above read integers from a raw buffer by hand; read them through ByteReader" >&2
    exit 1
fi
echo "ok: raw buffers are read through ByteReader, but for the ${#exceptions[@]} named exceptions"
