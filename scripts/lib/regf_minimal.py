"""The smallest valid Windows registry hive, written from the format description, not copied from anywhere.

Reference: libyal libregf "Windows NT Registry File (REGF) format", sections 2 (base block), 3 (hive bins,
cells), 4.1 (named key, "nk") and 4.6 (security key, "sk"); the security descriptor is MS-DTYP 2.4.6
(self-relative). Layout:

  0x0000  base block (4096 bytes): "regf", sequences 1/1, version 1.5, root cell at 0x20, hbins size 4096,
          XOR-32 checksum of its first 508 bytes at 0x1FC
  0x1000  one hbin (4096 bytes): header (32 bytes), then
            0x20  root key "nk": flags KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME, no subkeys, no values
            0x..  its security key "sk": a list of one (flink = blink = itself), reference count 1, a
                  descriptor owned by Administrators with one ACE giving SYSTEM full control
            0x..  one free cell filling the rest of the bin

hivexsh -w adds keys and values to a copy (new keys share the root's "sk", as Windows does); regfexport and
hivexsh read it back (scripts/make-hives --check-minimal checks both). Every field is fixed, so the bytes are
the same on every run.
"""
import struct

ROOT_NAME = b"ROOT"
# 2020-01-01T00:00:00Z as a FILETIME: a fixed time keeps the output byte-for-byte reproducible.
TIMESTAMP = 132223104000000000
BLOCK = 4096


def _sid(authority, *subauthorities):
    return struct.pack("<BB", 1, len(subauthorities)) + authority.to_bytes(6, "big") + b"".join(
        struct.pack("<I", s) for s in subauthorities)


def security_descriptor():
    """Self-relative SECURITY_DESCRIPTOR: owner Administrators, group SYSTEM, a DACL with one ACE (SYSTEM, KEY_ALL_ACCESS)."""
    system = _sid(5, 18)
    administrators = _sid(5, 32, 544)
    # ACCESS_ALLOWED_ACE: type 0, flags CONTAINER_INHERIT_ACE (subkeys inherit it), size, mask KEY_ALL_ACCESS.
    ace = struct.pack("<BBHI", 0, 0x02, 8 + len(system), 0x000F003F) + system
    dacl = struct.pack("<BBHHH", 2, 0, 8 + len(ace), 1, 0) + ace
    header_size = 20
    owner_offset = header_size
    group_offset = owner_offset + len(administrators)
    dacl_offset = group_offset + len(system)
    # Control: SE_SELF_RELATIVE (0x8000) | SE_DACL_PRESENT (0x0004).
    header = struct.pack("<BBHIIII", 1, 0, 0x8004, owner_offset, group_offset, 0, dacl_offset)
    return header + administrators + system + dacl


def _cell(data):
    """An allocated cell: negative size (header included), padded to 8 bytes."""
    size = (len(data) + 4 + 7) // 8 * 8
    return struct.pack("<i", -size) + data + b"\0" * (size - 4 - len(data))


def _nk(security_offset):
    return (b"nk" + struct.pack("<H", 0x002C) + struct.pack("<Q", TIMESTAMP)
            + struct.pack("<I", 0)                       # access bits
            + struct.pack("<I", 0)                       # parent (none: this is the root)
            + struct.pack("<II", 0, 0)                   # subkeys, volatile subkeys
            + struct.pack("<ii", -1, -1)                 # subkey list, volatile subkey list
            + struct.pack("<Ii", 0, -1)                  # values, value list
            + struct.pack("<Ii", security_offset, -1)    # security key, class name
            + b"\0" * 20                                 # largest name/class/value sizes, work var
            + struct.pack("<HH", len(ROOT_NAME), 0) + ROOT_NAME)


def _sk(own_offset, descriptor):
    return (b"sk" + b"\0\0" + struct.pack("<IIII", own_offset, own_offset, 1, len(descriptor)) + descriptor)


def checksum(base):
    """XOR-32 of the first 508 bytes (libregf 2.1); 0 and 0xFFFFFFFF are stored as 1 and 0xFFFFFFFE."""
    value = 0
    for (word,) in struct.iter_unpack("<I", base[:508]):
        value ^= word
    return {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(value, value)


def minimal_hive():
    """The whole file: base block + one hbin holding the root key, its security key and a free cell."""
    root_offset = 0x20
    root = _cell(_nk(0))
    security_offset = root_offset + len(root)
    root = _cell(_nk(security_offset))
    security = _cell(_sk(security_offset, security_descriptor()))
    header = b"hbin" + struct.pack("<III", 0, BLOCK, 0) + struct.pack("<I", 0) + struct.pack("<Q", TIMESTAMP) + b"\0" * 4
    used = header + root + security
    free = BLOCK - len(used)
    hbin = used + struct.pack("<i", free) + b"\0" * (free - 4)
    base = bytearray(BLOCK)
    base[0:4] = b"regf"
    struct.pack_into("<IIQ", base, 4, 1, 1, TIMESTAMP)     # primary/secondary sequence, last written
    struct.pack_into("<IIIII", base, 0x14, 1, 5, 0, 1, root_offset)  # major, minor, file type, format, root cell
    struct.pack_into("<II", base, 0x28, BLOCK, 1)            # hbins size, clustering factor
    struct.pack_into("<I", base, 0x1FC, checksum(bytes(base)))
    return bytes(base) + hbin


if __name__ == "__main__":
    import sys
    with open(sys.argv[1], "wb") as out:
        out.write(minimal_hive())
