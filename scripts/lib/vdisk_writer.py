"""Writers for differencing VHDX/AVHDX and VHD/AVHD files, made per MS-VHDX and the VHD 1.0 specification.

qemu-img writes base disks but no differencing ones; these functions write the latter (headers, region
tables, metadata and parent locator; VHD footer, dynamic header, BAT and parent locators) with no data
blocks. They are imported by scripts/make-disks and by test-tree builders:

    from vdisk_writer import write_base_vhdx, write_differencing_vhdx, vhdx_data_write_guid
    guid = write_differencing_vhdx("child.avhdx", parent_linkage=vhdx_data_write_guid("base.vhdx"),
                                   relative_path=r".\\base.vhdx", absolute_win32_path=r"D:\\VMs\\base.vhdx")
"""

import os
import struct
import time
import uuid

MIB = 1 << 20

# --- CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 -------------------------------------------------
_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _guid(value):
    """A uuid.UUID from a UUID, a string (braces allowed) or None (a fresh random one)."""
    if value is None:
        return uuid.uuid4()
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value).strip("{}"))


def _with_crc(block, field_offset=4):
    block = bytearray(block)
    block[field_offset:field_offset + 4] = b"\0\0\0\0"
    block[field_offset:field_offset + 4] = struct.pack("<I", crc32c(block))
    return block


# --- VHDX ----------------------------------------------------------------------------------------------------
BAT_REGION = uuid.UUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
METADATA_REGION = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
FILE_PARAMETERS = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
VIRTUAL_DISK_SIZE = uuid.UUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
VIRTUAL_DISK_ID = uuid.UUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
LOGICAL_SECTOR_SIZE = uuid.UUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
PHYSICAL_SECTOR_SIZE = uuid.UUID("CDA348C7-445D-4471-9CC9-E9885251C556")
PARENT_LOCATOR = uuid.UUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
VHDX_PARENT_TYPE = uuid.UUID("B04AEFB7-D19E-4A81-B789-25B8E9445913")


def vhdx_header(sequence, data_write_guid, file_write_guid=None, log_guid=None, log_offset=MIB, log_length=MIB):
    """A 4 KiB VHDX header (MS-VHDX 2.2.2) with its CRC-32C."""
    block = bytearray(4096)
    block[0:4] = b"head"
    struct.pack_into("<Q", block, 8, sequence)
    block[16:32] = _guid(file_write_guid).bytes_le
    block[32:48] = _guid(data_write_guid).bytes_le
    block[48:64] = (_guid(log_guid).bytes_le if log_guid else bytes(16))
    struct.pack_into("<HHIQ", block, 64, 0, 1, log_length, log_offset)
    return _with_crc(block)


def vhdx_region_table(entries, count=None):
    """A 64 KiB region table (MS-VHDX 2.2.3) from (guid, offset, length, required) tuples, with its CRC-32C.
    `count` overrides the stored entry count (to make a table over the 2047 cap)."""
    block = bytearray(0x10000)
    block[0:4] = b"regi"
    struct.pack_into("<I", block, 8, len(entries) if count is None else count)
    for index, (guid, offset, length, required) in enumerate(entries):
        at = 16 + 32 * index
        block[at:at + 16] = _guid(guid).bytes_le
        struct.pack_into("<QII", block, at + 16, offset, length, 1 if required else 0)
    return _with_crc(block)


def vhdx_parent_locator(entries):
    """A parent locator item (MS-VHDX 2.6.2.6) from (key, value) pairs, UTF-16LE without NUL."""
    header = bytearray(20 + 12 * len(entries))
    header[0:16] = VHDX_PARENT_TYPE.bytes_le
    struct.pack_into("<HH", header, 16, 0, len(entries))
    data = bytearray()
    base = len(header)
    for index, (key, value) in enumerate(entries):
        k = key.encode("utf-16-le")
        v = value.encode("utf-16-le")
        key_offset = base + len(data)
        data += k
        value_offset = base + len(data)
        data += v
        struct.pack_into("<IIHH", header, 20 + 12 * index, key_offset, value_offset, len(k), len(v))
    return bytes(header + data)


def _round_up(value, unit):
    return (value + unit - 1) // unit * unit


def write_differencing_vhdx(path, parent_linkage, relative_path=None, volume_path=None, absolute_win32_path=None,
                            parent_linkage2=None, extra_locator_entries=(), virtual_size=1 << 30, block_size=2 * MIB,
                            logical_sector_size=512, physical_sector_size=4096, data_write_guid=None,
                            creator="hvexclude make-disks", log_guid=None, locator_item=None,
                            region_entry_count=None, extra_regions=(), metadata_offset=None,
                            file_write_guid=None, virtual_disk_id=None, compact=False):
    """Writes a differencing VHDX (or .avhdx) with no data blocks and returns its DataWriteGuid (a uuid.UUID).

    The locator holds parent_linkage, then the path keys given (None = omitted), in Windows' order.
    `locator_item` replaces the encoded parent locator bytes (for corrupt variants); `region_entry_count`,
    `extra_regions` and `metadata_offset` shape the region table for corrupt variants.
    `file_write_guid` and `virtual_disk_id` (None = random) make the bytes reproducible; `compact` drops the
    log region (LogLength 0) so the file is 3 MiB instead of 4 (see write_base_vhdx)."""
    entries = [("parent_linkage", "{%s}" % _guid(parent_linkage))]
    if parent_linkage2 is not None:
        entries.append(("parent_linkage2", "{%s}" % _guid(parent_linkage2)))
    for key, value in (("relative_path", relative_path), ("volume_path", volume_path),
                       ("absolute_win32_path", absolute_win32_path)):
        if value is not None:
            entries.append((key, value))
    entries += list(extra_locator_entries)
    locator = locator_item if locator_item is not None else vhdx_parent_locator(entries)
    return _write_vhdx(path, locator, virtual_size, block_size, logical_sector_size, physical_sector_size,
                       data_write_guid, file_write_guid, virtual_disk_id, creator, log_guid, region_entry_count,
                       extra_regions, metadata_offset, compact)


def write_base_vhdx(path, virtual_size, block_size=32 * MIB, logical_sector_size=512, physical_sector_size=4096,
                    data_write_guid=None, file_write_guid=None, virtual_disk_id=None,
                    creator="hvexclude make-testtrees"):
    """Writes a dynamic VHDX with no parent and no data blocks (all BAT entries PAYLOAD_BLOCK_NOT_PRESENT) and
    returns its DataWriteGuid.

    qemu-img's dynamic VHDX is 8 MiB; this one is 3 MiB (MS-VHDX 2.1: every region on a 1 MiB boundary):
    1 MiB for the file identifier, headers and region tables, a 1 MiB metadata region, a 1 MiB BAT region.
    There is no log (LogGuid zero, LogOffset and LogLength 0): a clean disk needs none to be read. The block
    size defaults to Windows' 32 MiB for dynamic disks."""
    return _write_vhdx(path, None, virtual_size, block_size, logical_sector_size, physical_sector_size,
                       data_write_guid, file_write_guid, virtual_disk_id, creator, None, None, (), None, True)


def _write_vhdx(path, locator, virtual_size, block_size, logical_sector_size, physical_sector_size,
                data_write_guid, file_write_guid, virtual_disk_id, creator, log_guid, region_entry_count,
                extra_regions, metadata_offset, compact):
    """The shared VHDX layout; `locator` None = a base disk (HasParent 0, no locator item)."""
    data_write_guid = _guid(data_write_guid)
    file_write_guid = _guid(file_write_guid)
    if compact:
        log_offset, log_length = MIB, 0
        meta_offset, meta_length = MIB, MIB
        bat_offset = 2 * MIB
    else:
        log_offset, log_length = MIB, MIB
        meta_offset, meta_length = 2 * MIB, MIB
        bat_offset = 3 * MIB
    chunk_ratio = (1 << 23) * logical_sector_size // block_size
    data_blocks = -(-virtual_size // block_size)
    if locator is None:
        # MS-VHDX 2.5: a dynamic disk's BAT interleaves a sector-bitmap entry after every chunk_ratio data
        # blocks; only a differencing disk has bitmap blocks for every chunk.
        bat_entries = data_blocks + (data_blocks - 1) // chunk_ratio
    else:
        bitmap_blocks = -(-data_blocks // chunk_ratio)
        bat_entries = bitmap_blocks * (chunk_ratio + 1)
    bat_length = _round_up(bat_entries * 8, MIB)

    image = bytearray(bat_offset + bat_length)
    image[0:8] = b"vhdxfile"
    creator_bytes = creator.encode("utf-16-le")[:512]
    image[8:8 + len(creator_bytes)] = creator_bytes
    image[0x10000:0x11000] = vhdx_header(1, data_write_guid, file_write_guid, log_guid=log_guid,
                                         log_offset=log_offset, log_length=log_length)
    image[0x20000:0x21000] = vhdx_header(2, data_write_guid, file_write_guid, log_guid=log_guid,
                                         log_offset=log_offset, log_length=log_length)
    regions = [(BAT_REGION, bat_offset, bat_length, True),
               (METADATA_REGION, meta_offset if metadata_offset is None else metadata_offset, meta_length, True)]
    regions += list(extra_regions)
    table = vhdx_region_table(regions, count=region_entry_count)
    image[0x30000:0x40000] = table
    image[0x40000:0x50000] = table

    # Metadata table and items, laid out as Windows does (items from 64 KiB into the region).
    items = [
        (FILE_PARAMETERS, struct.pack("<II", block_size, 0 if locator is None else 2), 4),
        (VIRTUAL_DISK_SIZE, struct.pack("<Q", virtual_size), 6),
        (LOGICAL_SECTOR_SIZE, struct.pack("<I", logical_sector_size), 6),
        (PHYSICAL_SECTOR_SIZE, struct.pack("<I", physical_sector_size), 6),
        (VIRTUAL_DISK_ID, _guid(virtual_disk_id).bytes_le, 6),
    ]
    if locator is not None:
        items.append((PARENT_LOCATOR, locator, 4))
    table = bytearray(0x10000)
    table[0:8] = b"metadata"
    struct.pack_into("<H", table, 10, len(items))
    item_offset = 0x10000
    region = bytearray(meta_length)
    for index, (guid, data, flags) in enumerate(items):
        at = 32 + 32 * index
        table[at:at + 16] = guid.bytes_le
        struct.pack_into("<III", table, at + 16, item_offset, len(data), flags)
        region[item_offset:item_offset + len(data)] = data
        item_offset += len(data)
    region[0:0x10000] = table
    image[meta_offset:meta_offset + meta_length] = region
    with open(path, "wb") as out:
        out.write(image)
    return data_write_guid


def vhdx_data_write_guid(path):
    """The DataWriteGuid of the current header (the valid one with the higher sequence) of a VHDX file."""
    best = None
    with open(path, "rb") as f:
        for offset in (0x10000, 0x20000):
            f.seek(offset)
            block = f.read(4096)
            if len(block) < 4096 or block[0:4] != b"head":
                continue
            if struct.unpack_from("<I", block, 4)[0] != crc32c(block[:4] + b"\0\0\0\0" + block[8:]):
                continue
            sequence = struct.unpack_from("<Q", block, 8)[0]
            if best is None or sequence > best[0]:
                best = (sequence, uuid.UUID(bytes_le=bytes(block[32:48])))
    if best is None:
        raise ValueError("%s: no valid VHDX header" % path)
    return best[1]


# --- VHD -----------------------------------------------------------------------------------------------------
VHD_EPOCH = 946684800  # 2000-01-01 00:00:00 UTC


def _vhd_checksum(block, field_offset):
    return (~sum(b for i, b in enumerate(block) if not field_offset <= i < field_offset + 4)) & 0xFFFFFFFF


def _chs(size):
    """Disk geometry per the VHD specification's algorithm."""
    sectors = min(size // 512, 65535 * 16 * 255)
    if sectors >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cth = sectors // spt
    else:
        spt = 17
        cth = sectors // spt
        heads = max((cth + 1023) // 1024, 4)
        if cth >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cth = sectors // spt
        if cth >= heads * 1024:
            spt, heads = 63, 16
            cth = sectors // spt
    return struct.pack(">HBB", cth // heads, heads, spt)


def vhd_footer(disk_type, size, unique_id, data_offset=512, creator_app=b"win ", creator_version=0x000A0000,
               creator_os=b"Wi2k", timestamp=None, checksum=None):
    """A 512-byte VHD footer (big-endian) with its checksum (or the `checksum` given, to make a bad one)."""
    block = bytearray(512)
    block[0:8] = b"conectix"
    struct.pack_into(">IIQI", block, 8, 2, 0x00010000, data_offset,
                     int(time.time()) - VHD_EPOCH if timestamp is None else timestamp)
    block[28:32] = creator_app
    struct.pack_into(">I", block, 32, creator_version)
    block[36:40] = creator_os
    struct.pack_into(">QQ", block, 40, size, size)
    block[56:60] = _chs(size)
    struct.pack_into(">I", block, 60, disk_type)
    block[68:84] = unique_id
    struct.pack_into(">I", block, 64, _vhd_checksum(block, 64) if checksum is None else checksum)
    return block


def write_differencing_vhd(path, parent_unique_id, parent_name, locators=(), virtual_size=1 << 30,
                           block_size=2 * MIB, unique_id=None, parent_timestamp=0, footer_checksum=None,
                           locator_overrides=None, timestamp=None):
    """Writes a differencing VHD (or .avhd) and returns its unique id (16 bytes).

    `locators` are (platform code, text) pairs: W2ru/W2ku are stored UTF-16 little-endian as Windows writes
    them, Wi2r/Wi2k as ANSI, anything else as UTF-8. `locator_overrides` maps an index to (offset, length) to
    make a locator point elsewhere (corrupt variants). `timestamp` (seconds since 2000-01-01 UTC; None = now)
    makes the footer reproducible."""
    unique_id = uuid.uuid4().bytes if unique_id is None else bytes(unique_id)
    parent_unique_id = bytes(parent_unique_id)
    entries = -(-virtual_size // block_size)
    bat_offset = 1536
    bat_length = _round_up(entries * 4, 512)
    cursor = bat_offset + bat_length
    blobs = []
    for code, text in locators:
        if code in ("W2ru", "W2ku"):
            data = text.encode("utf-16-le")
        elif code in ("Wi2r", "Wi2k"):
            data = text.encode("latin-1")
        else:
            data = text.encode("utf-8")
        space = _round_up(max(len(data), 1), 512)
        blobs.append((code, data, cursor, space))
        cursor += space

    header = bytearray(1024)
    header[0:8] = b"cxsparse"
    struct.pack_into(">QQIII", header, 8, 0xFFFFFFFFFFFFFFFF, bat_offset, 0x00010000, entries, block_size)
    header[40:56] = parent_unique_id
    struct.pack_into(">I", header, 56, parent_timestamp)
    name = parent_name.encode("utf-16-be")[:512]
    header[64:64 + len(name)] = name
    for index, (code, data, offset, space) in enumerate(blobs):
        at = 576 + 24 * index
        length = len(data)
        if locator_overrides and index in locator_overrides:
            offset, length = locator_overrides[index]
        # Windows stores "data space" in bytes although the specification says sectors.
        struct.pack_into(">4sIIIQ", header, at, code.encode("ascii"), space, length, 0, offset)
    struct.pack_into(">I", header, 36, _vhd_checksum(header, 36))

    footer = vhd_footer(4, virtual_size, unique_id, checksum=footer_checksum, timestamp=timestamp)
    image = bytearray(cursor + 512)
    image[0:512] = footer
    image[512:1536] = header
    image[bat_offset:bat_offset + bat_length] = b"\xff" * bat_length
    for code, data, offset, space in blobs:
        image[offset:offset + len(data)] = data
    image[cursor:cursor + 512] = footer
    with open(path, "wb") as out:
        out.write(image)
    return unique_id


def vhd_unique_id(path):
    """The unique id (16 bytes) in the footer at the end of a VHD file."""
    with open(path, "rb") as f:
        f.seek(-512, os.SEEK_END)
        footer = f.read(512)
    if footer[0:8] != b"conectix":
        raise ValueError("%s: no VHD footer at the end" % path)
    return footer[68:84]
