"""Walks a registry hive with dissect.regf (an independent reader) and prints one JSON line per key it reads.

Usage: python3 scripts/lib/regf_dissect_dump.py HIVE

Each line: {"path": "A\\B", "values": [[name, type, "hex of the data"], ...]}; the root's path is "". A key whose
subkeys or values dissect cannot read is still printed (with the values it read); the last line is
{"summary": {"keys": N, "values": N, "errors": N}}. Names: a lone UTF-16 surrogate is written \\uD800 (upper-case
hex, as hvexclude writes it), the default value's name is "" (dissect calls it "(Default)"), and a compressed
(one byte per character) name is Latin-1, as Windows stores it (dissect tries UTF-8 first).
Used by the Swift tests to cross-check the hive reader.
"""
import json
import sys

from dissect.regf import regf


def escape(name):
    out = []
    for char in name:
        code = ord(char)
        out.append("\\u%04X" % code if 0xD800 <= code <= 0xDFFF else char)
    return "".join(out)


def stored_name(cell_struct, data, compressed_flag, header_size):
    length = cell_struct.NameLength
    blob = data[header_size:][:length]
    if cell_struct.Flags & compressed_flag:
        return blob.decode("latin1")
    blob = blob[: len(blob) - len(blob) % 2]
    return escape(blob.decode("utf-16-le", "surrogatepass"))


def key_name(key):
    return stored_name(key.cell, key_data(key), 0x20, 76)


def key_data(key):
    return getattr(key, "_raw", None) or b""


def values_of(key, counts):
    out = []
    try:
        values = list(key.values())
    except Exception:  # noqa: BLE001 (any failure of the peer is counted, not fatal)
        counts["errors"] += 1
        return out
    for value in values:
        try:
            name = "" if value.cell.NameLength == 0 else stored_name(value.cell, value._raw, 0x1, 20)
            out.append([name, value.type, bytes(value.data).hex().upper()])
            counts["values"] += 1
        except Exception:  # noqa: BLE001
            counts["errors"] += 1
    return out


def walk(hive):
    counts = {"keys": 0, "values": 0, "errors": 0}
    stack = [([], hive.root())]
    while stack:
        path, key = stack.pop()
        counts["keys"] += 1
        print(json.dumps({"path": "\\".join(path), "values": values_of(key, counts)}, ensure_ascii=False))
        try:
            children = list(key.subkeys())
        except Exception:  # noqa: BLE001
            counts["errors"] += 1
            continue
        if len(path) >= 512:  # as deep as hvexclude descends (a cycle ends here)
            continue
        for child in reversed(children):
            stack.append((path + [key_name(child)], child))
    print(json.dumps({"summary": counts}))


def main():
    # Keep each cell's raw bytes so names can be decoded from them as stored.
    original_init = regf.Cell.__init__

    def init(self, hive, data, *args, **kwargs):
        original_init(self, hive, data, *args, **kwargs)
        self._raw = data

    regf.Cell.__init__ = init
    with open(sys.argv[1], "rb") as handle:
        walk(regf.RegistryHive(handle))


if __name__ == "__main__":
    main()
