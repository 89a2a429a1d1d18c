"""Our own writer of Hyper-V "HyperVStorage" containers (.vmcx, data.vmcx) and 2012 R2 XML configurations.

Layout and checksums follow FORMATS.md "VMCX" and what the real samples show:
- two headers (0x0, 0x1000), CRC-32 (zlib) over 0x00-0x2D with the checksum field zeroed;
- the object table at 0x2000 (227 slots of 18 bytes, each with a CRC-32 of the slot);
- key tables of 0x1000 bytes (header CRC-32 over 10 bytes; each entry's CRC-32 over header + name + value),
  leaves padded by 12 bytes, the rest of a table one free entry filled with 0xFD, as Hyper-V leaves them;
- values of 0x800 bytes or more in File objects (flag 0x01: u32 size + u64 offset);
- optional stale copies of key tables (same index, lower sequence) inside Free objects and the replay-log
  area, holding keys the live tables no longer have: a correct reader never reports them;
- a replay log with 0 entries; optionally a file cut short inside its replay-log area (like data.vmcx).

A tree is a dict: dict = node, str = String, bool = Bool, int = Int, float = Double, bytes = Array,
UInt(n) = UInt. Import this module (scripts/lib on sys.path) or use scripts/make-vmcx.
"""
from __future__ import annotations

import base64
import struct
import uuid
import zlib

ALIGN = 0x1000
TABLE_SIZE = 0x1000
OBJECT_TABLE_OFFSET = 0x2000
OBJECT_SLOTS = 227
FILE_OBJECT_THRESHOLD = 0x800
IDE_KEY = "_83f8638b-8dca-4152-9eda-2ca8b33039b4_"
FLOPPY_KEY = "_8f0d2762-0b00-4e04-af4f-19010527cb93_"
GUEST_STATE_KEY = "_917bd8cb-3bb6-4124-9383-b7d21ac07f79_"
SCSI_DEVICE = "d422512d-2bf2-4752-809d-7b82b5fcb1b4"


class UInt(int):
    """An unsigned 64-bit value (VMCX type 4)."""


def crc(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _align(value: int) -> int:
    return (value + ALIGN - 1) // ALIGN * ALIGN


def _value_bytes(value):
    """(type, raw value bytes, is_variable) for a leaf."""
    if isinstance(value, bool):
        return 8, struct.pack("<I", 1 if value else 0), False
    if isinstance(value, UInt):
        return 4, struct.pack("<Q", int(value)), False
    if isinstance(value, int):
        return 3, struct.pack("<q", value), False
    if isinstance(value, float):
        return 5, struct.pack("<d", value), False
    if isinstance(value, str):
        return 6, value.encode("utf-16-le"), True
    if isinstance(value, (bytes, bytearray)):
        return 7, bytes(value), True
    raise TypeError(f"unsupported value {value!r}")


class _Layout:
    """Serialises one tree into key tables (and file-object payloads)."""

    def __init__(self, tree: dict, sequence: int, first_file_offset: int):
        self.tables: list[bytearray] = []
        self.sequence = sequence
        self.files: list[tuple[int, bytes]] = []
        self.next_file = first_file_offset
        self._new_table()
        self._emit(tree, parent=(0, 0))
        self._close_table()

    def _new_table(self):
        table = bytearray(TABLE_SIZE)
        self.tables.append(table)
        self.position = 10

    def _close_table(self):
        table = self.tables[-1]
        index = len(self.tables)
        rest = TABLE_SIZE - self.position
        if rest >= 21:
            free = bytearray(b"\xfd" * rest)
            free[0:21] = struct.pack("<HIHIIIB", 1, rest, 0, 0, 0, 0xFDFDFDFD, 0)
            table[self.position:] = free
        header = bytearray(struct.pack("<HHHI", 2, index, self.sequence, 0))
        struct.pack_into("<I", header, 6, crc(bytes(header)))
        table[0:10] = header

    def _place(self, entry: bytes) -> tuple[int, int]:
        end = self.position + len(entry)
        # A table ends exactly on an entry or on a free entry of at least 21 bytes (readers such as dissect
        # read a whole entry header wherever bytes remain).
        if end != TABLE_SIZE and end + 21 > TABLE_SIZE:
            self._close_table()
            self._new_table()
        table = self.tables[-1]
        offset = self.position
        table[offset:offset + len(entry)] = entry
        self.position += len(entry)
        return len(self.tables), offset

    def _entry(self, name: str, type_code: int, flags: int, value: bytes, parent, sequence: int, pad: int) -> bytes:
        name_bytes = name.encode("utf-8") + b"\0"
        if len(name_bytes) > 255:
            raise ValueError(f"key name too long: {name}")
        data_size = 21 + len(name_bytes) + len(value)
        size = data_size + pad
        head = struct.pack("<HIHIIIB", type_code | flags << 8, size, parent[0], parent[1], 0, sequence, len(name_bytes))
        body = bytearray(head + name_bytes + value)
        struct.pack_into("<I", body, 12, crc(bytes(body)))
        return bytes(body) + b"\0" * pad

    def _emit(self, node: dict, parent):
        for sequence, (name, value) in enumerate(node.items(), start=1):
            if isinstance(value, dict):
                placeholder = self._entry(name, 9, 0, b"\0" * 8 + struct.pack("<I", len(value) + 1), parent, sequence, 0)
                here = self._place(placeholder)
                self._emit(value, here)
                continue
            type_code, raw, variable = _value_bytes(value)
            flags = 0
            if variable and len(raw) >= FILE_OBJECT_THRESHOLD:
                offset = self.next_file
                self.files.append((offset, raw))
                self.next_file = _align(offset + len(raw))
                payload = struct.pack("<IQ", len(raw), offset)
                flags = 1
            elif variable:
                payload = struct.pack("<I", len(raw)) + raw
            else:
                payload = raw
            self._place(self._entry(name, type_code, flags, payload, parent, sequence, 12))


def _header(sequence: int, replay_offset: int, replay_size: int) -> bytes:
    raw = bytearray(struct.pack("<IIHIQIQQI", 0x01282014, 0, sequence, 0x400, 0, ALIGN, replay_offset, replay_size, ALIGN))
    struct.pack_into("<I", raw, 4, crc(bytes(raw[:0x2E])))
    return bytes(raw)


def _object_slot(type_code: int, offset: int, size: int, allocated: int) -> bytes:
    raw = bytearray(struct.pack("<BIQIB", type_code, 0, offset, size, allocated))
    struct.pack_into("<I", raw, 1, crc(bytes(raw)))
    return bytes(raw)


def hyperv_storage_bytes(tree: dict, *, sequence: int = 25, table_sequence: int = 12, stale_trees=(),
                         replay_size: int = 0x5000, truncate_at: int | None = None) -> bytes:
    """The bytes of a HyperVStorage container holding `tree` (see the module doc)."""
    # Pass 1 finds the number of live tables so file objects can follow them.
    probe = _Layout(tree, table_sequence, 0)
    live_tables = len(probe.tables)
    stale_layouts = [_Layout(t, max(1, table_sequence - 1 - i), 0) for i, t in enumerate(stale_trees)]
    stale_count = sum(len(s.tables) for s in stale_layouts)
    # A Free object right after the live tables holds every stale table; the last is also copied into the replay log.
    in_free = stale_count
    free_offset = 0x3000 + live_tables * TABLE_SIZE
    file_start = free_offset + in_free * TABLE_SIZE
    layout = _Layout(tree, table_sequence, file_start)
    replay_offset = _align(layout.next_file) if layout.files else file_start
    size = replay_offset + replay_size

    out = bytearray(size)
    out[0:0x2E] = _header(sequence, replay_offset, replay_size)
    out[0x1000:0x102E] = _header(sequence - 1, replay_offset, replay_size)

    slots = []
    for index, table in enumerate(layout.tables):
        offset = 0x3000 + index * TABLE_SIZE
        out[offset:offset + TABLE_SIZE] = table
        slots.append(_object_slot(2, offset, TABLE_SIZE, 1))
    stale_tables = [t for s in stale_layouts for t in s.tables]
    for index, table in enumerate(stale_tables[:in_free]):
        offset = free_offset + index * TABLE_SIZE
        out[offset:offset + TABLE_SIZE] = table
    if in_free:
        slots.append(_object_slot(4, free_offset, in_free * TABLE_SIZE, 1))
    for offset, raw in layout.files:
        out[offset:offset + len(raw)] = raw
        slots.append(_object_slot(3, offset, _align(len(raw)), 1))
    if len(slots) > OBJECT_SLOTS:
        raise ValueError("too many objects for one object table")
    table = bytearray(struct.pack("<II", 0x01110001, OBJECT_SLOTS))
    for slot in slots + [_object_slot(0, 0, 0, 0)] * (OBJECT_SLOTS - len(slots)):
        table += slot
    out[OBJECT_TABLE_OFFSET:OBJECT_TABLE_OFFSET + len(table)] = table

    log = bytearray(struct.pack("<IIIBIIIIIB", 0x01110003, 0, 0, 0, 0x91, 0, 0, 0, 0, 0))
    struct.pack_into("<I", log, 4, crc(bytes(log)))
    out[replay_offset:replay_offset + len(log)] = log
    if stale_count:
        # An old table image inside the replay-log area, as in the real data.vmcx.
        offset = replay_offset + ALIGN
        if offset + TABLE_SIZE <= size:
            out[offset:offset + TABLE_SIZE] = stale_tables[-1]
    if truncate_at is not None:
        if not replay_offset < truncate_at <= size:
            raise ValueError("truncate_at must lie inside the replay-log area")
        out = out[:truncate_at]
    return bytes(out)


def vm_config_tree(name: str, vm_id: str, *, version=(9, 0), generation: int = 1, ide=(), scsi=(),
                   state_file: str | None = None, data_root: str | None = None,
                   snapshot_data_root: str | None = None, slp_data_root: str | None = None,
                   notes: str = "", scsi_instance: str | None = None, iso: str = "") -> dict:
    """A VM configuration tree shaped like Hyper-V's (only the keys hvexclude and readers care about, plus some
    filler). `ide` / `scsi`: iterables of (controller, drive, type, path)."""
    major, minor = version
    config: dict = {}
    config["_d41a1872-3740-41ce-a1ee-4522ab82f991_"] = {"VDEVVersion": 771}
    if generation == 1:
        controllers: dict = {}
        for c in range(2):
            controllers[f"controller{c}"] = {f"drive{d}": {"pathname": "", "type": "NONE"} for d in range(2)}
        controllers["controller1"]["drive0"] = {"pathname": iso, "type": "ISO"}
        for c, d, kind, path in ide:
            controllers.setdefault(f"controller{c}", {})[f"drive{d}"] = {
                "type": kind, "pathname": path, "iops_limit": 0, "weight": 100, "ignore_flushes": False}
        config[IDE_KEY] = {**controllers, "VDEVVersion": 1792}
        config[FLOPPY_KEY] = {"controller0": {"drive0": {"pathname": "", "type": "VFD"}}, "VDEVVersion": 256}
    instance = scsi_instance or str(uuid.uuid5(uuid.NAMESPACE_URL, "scsi:" + vm_id))
    if scsi or generation == 2:
        drives: dict = {}
        for c, d, kind, path in scsi:
            drives.setdefault(f"controller{c}", {})[f"drive{d}"] = {"type": kind, "pathname": path, "weight": 100}
        config[f"_{instance.lower()}_"] = {**drives, "ChannelInstanceGuid": "{" + instance + "}", "VDEVVersion": 256}
    global_settings: dict = {
        "disk_merge_pending": False,
        "owner": {"sid": "S-1-5-21-192049584-1592831608-3625694886-500"},
        "snapshots": {"enable_automatic": False, "list": {"size": 0}, "user_type": 3},
        "vhd_path_acled": True,
    }
    if data_root is not None:
        global_settings["data_root"] = data_root
    if snapshot_data_root is not None:
        global_settings["snapshots"]["data_root"] = snapshot_data_root
    if slp_data_root is not None:
        global_settings["slp_data_root"] = slp_data_root
    config["global_settings"] = global_settings
    if state_file is not None:
        config[GUEST_STATE_KEY] = {"VDEVVersion": 256, "StateFilePath": state_file, "UseTransient": False}
    manifest: dict = {"version": 512, "size": 2,
                      "vdev001": {"device": "d41a1872-3740-41ce-a1ee-4522ab82f991",
                                  "instance": "d41a1872-3740-41ce-a1ee-4522ab82f991", "name": "Microsoft VmBus", "flags": 1}}
    if scsi or generation == 2:
        manifest["vdev002"] = {"device": SCSI_DEVICE, "instance": instance.upper(),
                               "name": "Synthetic SCSI Controller", "flags": 1}
    config["manifest"] = manifest
    config["properties"] = {
        "global_id": vm_id.upper(), "highly_available": False, "last_powered_off_time": 0, "name": name,
        "notes": notes, "subtype": generation - 1, "type_id": "Virtual Machines", "version": major << 8 | minor,
        "creation_time": bytes.fromhex("fcec38b4f142d901"),
    }
    config["settings"] = {"global": {"logical_id": vm_id.upper()}, "memory": {"bank": {"size": 1024, "limit": UInt(1048576)}},
                          "processors": {"count": 1}, "ratio": 0.5}
    return {"configuration": config}


def registration_tree(vms: dict, cache_folder: str = r"C:\ProgramData\Microsoft\Windows\Hyper-V\Virtual Machines Cache",
                      resource_types=("03CE9A94-E887-40F3-A166-D9E54C42A5BF",)) -> dict:
    """A data.vmcx tree: `vms` maps VM GUID -> configuration path."""
    return {"Configurations": {
        "FormatVersion": 2,
        "RegID": "A4F9FA6C-ACDE-42F0-9A9E-B2222CF7ED42",
        "ResourceTypes": {f"_{r}_": rf"C:\ProgramData\Microsoft\Windows\Hyper-V\Resource Types\{r}.vmcx" for r in resource_types},
        "VirtualMachines": {f"_{g.upper()}_": p for g, p in vms.items()},
        "VirtualMachinesCache": {f"_{g.upper()}_": rf"{cache_folder}\{g.upper()}.vmcx" for g in vms},
    }}


def write_vm_config(path: str, **kwargs) -> dict:
    """Writes a VM .vmcx (arguments of vm_config_tree, name and vm_id required) and returns its tree."""
    tree = vm_config_tree(**kwargs)
    with open(path, "wb") as handle:
        handle.write(hyperv_storage_bytes(tree))
    return tree


def write_data_vmcx(path: str, live: dict, deleted: dict | None = None, truncate: bool = False) -> dict:
    """Writes a registration store for `live` (GUID -> path); `deleted` registrations survive only in stale
    table copies (Free object, replay-log area), as in real files. Returns the live tree."""
    tree = registration_tree(live)
    stale = [registration_tree({**live, **(deleted or {})})] if deleted else []
    data = hyperv_storage_bytes(tree, sequence=105, table_sequence=33, stale_trees=stale)
    if truncate:
        replay = struct.unpack_from("<Q", data, 0x1A)[0]
        data = data[:replay + 0x305E]
    with open(path, "wb") as handle:
        handle.write(data)
    return tree


def xml_text(tree: dict) -> str:
    """A Hyper-V 2012 R2 style XML configuration for `tree` (typed leaves, two-space indent, CRLF)."""
    lines = ['<?xml version="1.0" encoding="UTF-16" standalone="yes"?>']

    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def emit(name, value, depth):
        pad = "  " * depth
        if isinstance(value, dict):
            lines.append(f"{pad}<{name}>")
            for key, child in value.items():
                emit(key, child, depth + 1)
            lines.append(f"{pad}</{name}>")
        elif isinstance(value, bool):
            lines.append(f'{pad}<{name} type="bool">{"True" if value else "False"}</{name}>')
        elif isinstance(value, int):
            lines.append(f'{pad}<{name} type="integer">{int(value)}</{name}>')
        elif isinstance(value, (bytes, bytearray)):
            lines.append(f'{pad}<{name} type="bytes">{base64.b64encode(bytes(value)).decode()}\r\n</{name}>')
        elif isinstance(value, float):
            lines.append(f'{pad}<{name} type="string">{value}</{name}>')
        else:
            lines.append(f'{pad}<{name} type="string">{escape(value)}</{name}>')

    for key, value in tree.items():
        emit(key, value, 0)
    return "\r\n".join(lines)


def write_xml_config(path: str, **kwargs) -> dict:
    """Writes a 2012 R2 XML configuration (UTF-16LE with BOM); arguments of vm_config_tree, version default 5.0."""
    kwargs.setdefault("version", (5, 0))
    tree = vm_config_tree(**kwargs)
    with open(path, "wb") as handle:
        handle.write(b"\xff\xfe" + xml_text(tree).encode("utf-16-le"))
    return tree
