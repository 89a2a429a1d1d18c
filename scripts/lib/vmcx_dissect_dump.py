"""Dumps a HyperVStorage file with dissect.hypervisor (an independent reader) as JSON: {"key/path": value}.

Each value is one typed string: "node", "int:5", "float:0.5", "bool:True", "str:text", "bytes:00ff".
Used by the Swift tests to cross-check our VMCX reader.
"""
import json
import sys

from dissect.hypervisor.descriptor.hyperv import HyperVFile


def flatten(entries, prefix, out):
    for name, entry in entries.items():
        path = f"{prefix}/{name}" if prefix else name
        if int(entry.type) == 9:
            out[path] = "node"
            flatten(entry.children, path, out)
        else:
            value = entry.value
            if isinstance(value, bool):
                out[path] = f"bool:{value}"
            elif isinstance(value, int):
                out[path] = f"int:{value}"
            elif isinstance(value, float):
                out[path] = f"float:{value!r}"
            elif isinstance(value, str):
                out[path] = f"str:{value}"
            else:
                out[path] = f"bytes:{bytes(value).hex()}"
    return out


def main(path):
    with open(path, "rb") as handle:
        hv = HyperVFile(handle)
        json.dump(flatten(hv.root, "", {}), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
