# Sourced by the scripts that compile library sources with swiftc as one module, outside SwiftPM (the fuzz
# harnesses, the walker and EVTX benchmarks). The library's layers are separate targets that import each other
# (`import HVXBinary`); compiled together those imports name no module, so the copies drop them. `package`
# declarations also need `-package-name` (ONE_MODULE_FLAGS).
ONE_MODULE_FLAGS=(-package-name hvexclude)

# one_module_sources DEST FILE...: copies FILEs into DEST without their `import HVX…` lines; prints the copies.
one_module_sources() {
    local dest=$1 file copy
    shift
    rm -rf "$dest"
    mkdir -p "$dest"
    for file in "$@"; do
        copy="$dest/$(echo "${file#*/Sources/}" | tr '/' '_')"
        sed -E '/^import HVX[A-Za-z]+[[:space:]]*$/d' "$file" > "$copy"
        echo "$copy"
    done
}
