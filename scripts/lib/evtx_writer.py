"""Our own EVTX writer, for test logs with Hyper-V and Defender events.

Layout as libyal documents it (libevtx, "Windows XML Event Log (EVTX).asciidoc"): a 4096-byte file header, 64 KiB
chunks (512-byte header, records, free space), records holding binary XML. Every record is a template instance
of the "System" template (one per provider and channel), whose last value is an embedded binary XML fragment
(value type 0x21) holding a second template instance with the event's EventData or UserData, as Windows writes
them. Each chunk defines a template inline at its first use and refers to it by offset afterwards; names are
stored inline inside the definitions. File header, chunk headers and records carry valid CRC-32s.

Everything is deterministic: the same events give the same bytes.
"""
import struct
import uuid
import zlib

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
VML_NS = "http://www.microsoft.com/Windows/Virtualization/Events"
CHUNK = 0x10000

# Value types (MS-EVEN6 / libyal "Value types").
NULL, STRING, UINT8, UINT16, UINT32, UINT64, GUID, FILETIME, SID, HEX64, BINXML = (
    0x00, 0x01, 0x04, 0x06, 0x08, 0x0A, 0x0F, 0x11, 0x13, 0x15, 0x21)


def filetime(iso):
    """ISO 8601 UTC (YYYY-MM-DDTHH:MM:SS[.fffffff]Z) → FILETIME ticks."""
    import datetime
    text = iso.rstrip("Z")
    fraction = 0
    if "." in text:
        text, frac = text.split(".")
        fraction = int((frac + "0000000")[:7])
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    epoch = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
    return int((moment - epoch).total_seconds()) * 10_000_000 + fraction


def sid_bytes(text):
    parts = text.split("-")
    revision, authority, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    return bytes([revision, len(subs)]) + authority.to_bytes(6, "big") + b"".join(struct.pack("<I", s) for s in subs)


def utf16(text):
    return text.encode("utf-16-le")


class Fragment:
    """Binary XML being written at a known chunk offset (names and template offsets are chunk-relative)."""

    def __init__(self, offset, dependency=True):
        self.base = offset
        self.out = bytearray()
        # Windows writes a u16 dependency identifier in each element start; some writers (forwarded logs) leave
        # it out of direct, template-less elements.
        self.dependency = dependency
        self.header = 7 if dependency else 5

    def here(self):
        return self.base + len(self.out)

    def name(self, text):
        # Inline name: its offset is where it stands. u32 next, u16 hash, u16 count, UTF-16, NUL.
        offset = self.here() + 4
        self.out += struct.pack("<I", offset)
        self.out += struct.pack("<IHH", 0, name_hash(text), len(text)) + utf16(text) + b"\0\0"

    def open(self, name, attributes=()):
        # token (0x41 with attributes), dependency id 0xFFFF, data size (patched), name offset, [attribute list size]
        start = len(self.out)
        self.out += bytes([0x41 if attributes else 0x01]) + (struct.pack("<H", 0xFFFF) if self.dependency else b"") + struct.pack("<I", 0)
        self.name(name)
        if attributes:
            list_at = len(self.out)
            self.out += struct.pack("<I", 0)
            for index, (attr, value) in enumerate(attributes):
                self.out += bytes([0x46 if index < len(attributes) - 1 else 0x06])
                self.name(attr)
                self.content(value)
            struct.pack_into("<I", self.out, list_at, len(self.out) - list_at - 4)
        return start

    def close_start(self):
        self.out += b"\x02"

    def close_empty(self, start):
        self.out += b"\x03"
        struct.pack_into("<I", self.out, start + self.header - 4, len(self.out) - start - self.header)

    def end(self, start):
        self.out += b"\x04"
        struct.pack_into("<I", self.out, start + self.header - 4, len(self.out) - start - self.header)

    def content(self, value):
        """value: ("text", str) | ("sub", index, type) | ("opt", index, type)."""
        if value[0] == "text":
            self.out += b"\x05\x01" + struct.pack("<H", len(value[1])) + utf16(value[1])
        else:
            self.out += bytes([0x0D if value[0] == "sub" else 0x0E]) + struct.pack("<HB", value[1], value[2])

    def leaf(self, name, value, attributes=()):
        start = self.open(name, attributes)
        if value is None:
            self.close_empty(start)
        else:
            self.close_start()
            self.content(value)
            self.end(start)


def name_hash(text):
    # The name hash (libyal: "which hash algorithm?"); readers do not check it. Windows uses a 16-bit
    # multiplicative hash of the UTF-16 characters; we write the same kind of value.
    value = 0
    for unit in struct.unpack("<%dH" % len(text), utf16(text)) if text else ():
        value = (value * 65599 + unit) & 0xFFFFFFFF
    return value & 0xFFFF


def template_instance(fragment, key, templates, template_guid, body):
    """A template instance token; the definition inline when `key` is not yet in this chunk's `templates`."""
    fragment.out += b"\x0c\x01" + struct.pack("<I", zlib.crc32(key.encode()) & 0xFFFFFFFF)
    offset_at = len(fragment.out)
    fragment.out += struct.pack("<I", 0)
    if key in templates:
        struct.pack_into("<I", fragment.out, offset_at, templates[key])
        return
    definition = fragment.here()
    struct.pack_into("<I", fragment.out, offset_at, definition)
    templates[key] = definition
    fragment.out += struct.pack("<I", 0) + template_guid.bytes_le
    size_at = len(fragment.out)
    fragment.out += struct.pack("<I", 0)
    data_start = len(fragment.out)
    fragment.out += b"\x0f\x01\x01\x00"
    body(fragment)
    fragment.out += b"\x00"
    struct.pack_into("<I", fragment.out, size_at, len(fragment.out) - data_start)


def values_block(values):
    """Template instance data: count, (size, type, 0) descriptors, data."""
    out = struct.pack("<I", len(values))
    for kind, data in values:
        out += struct.pack("<HBB", len(data), kind, 0)
    for _, data in values:
        out += data
    return out


class Event:
    def __init__(self, provider, guid, channel, event_id, level, time, computer, event_data=None, user_data=None,
                 qualifiers=None, process_id=1234, thread_id=5678, user_sid="S-1-5-18", version=0, task=0, opcode=0,
                 keywords=0x8000000000000000, direct=False, dependency=True, rendering=None, user_elements=()):
        self.provider, self.guid, self.channel = provider, guid, channel
        self.event_id, self.level, self.time, self.computer = event_id, level, time, computer
        self.event_data, self.user_data = event_data, user_data  # [(name, value)] / (root, [(name, value)])
        self.process_id, self.thread_id, self.user_sid = process_id, thread_id, user_sid
        self.version, self.task, self.opcode, self.keywords = version, task, opcode, keywords
        # direct: template-less elements with text values (as forwarded logs hold them), with or without
        # dependency ids; rendering: the forwarded shape's RenderingInfo (Message); user_elements: elements with
        # attributes inside the UserData root, [(name, [(attribute, value)])].
        self.direct, self.dependency, self.rendering, self.user_elements = direct, dependency, rendering, list(user_elements)


def system_template(provider, guid, channel):
    def body(f):
        event = f.open("Event", [("xmlns", ("text", EVENT_NS))])
        f.close_start()
        system = f.open("System")
        f.close_start()
        f.leaf("Provider", None, [("Name", ("text", provider)), ("Guid", ("text", "{%s}" % str(guid).upper()))])
        f.leaf("EventID", ("sub", 0, UINT16))
        f.leaf("Version", ("sub", 1, UINT8))
        f.leaf("Level", ("sub", 2, UINT8))
        f.leaf("Task", ("sub", 3, UINT16))
        f.leaf("Opcode", ("sub", 4, UINT8))
        f.leaf("Keywords", ("sub", 5, HEX64))
        f.leaf("TimeCreated", None, [("SystemTime", ("sub", 6, FILETIME))])
        f.leaf("EventRecordID", ("sub", 7, UINT64))
        f.leaf("Correlation", None, [("ActivityID", ("opt", 8, GUID))])
        f.leaf("Execution", None, [("ProcessID", ("sub", 9, UINT32)), ("ThreadID", ("sub", 10, UINT32))])
        f.leaf("Channel", ("text", channel))
        f.leaf("Computer", ("sub", 11, STRING))
        f.leaf("Security", None, [("UserID", ("opt", 12, SID))])
        f.end(system)
        f.content(("sub", 13, BINXML))
        f.end(event)
    return body


def data_template(event):
    """(key, body, values) of the EventData / UserData template for this event's field names."""
    if event.user_data is not None:
        root, fields = event.user_data
        names = [n for n, _ in fields]
        key = "U|%s|%s" % (root, "|".join(names)) + ("|%r" % event.user_elements if event.user_elements else "")

        def body(f):
            user = f.open("UserData")
            f.close_start()
            element = f.open(root, [("xmlns", ("text", VML_NS))])
            f.close_start()
            for index, name in enumerate(names):
                f.leaf(name, ("sub", index, STRING))
            for name, attributes in event.user_elements:
                f.leaf(name, None, [(a, ("text", v)) for a, v in attributes])
            f.end(element)
            f.end(user)
    else:
        fields = event.event_data or []
        names = [n for n, _ in fields]
        key = "E|" + "|".join(names)

        def body(f):
            data = f.open("EventData")
            f.close_start()
            for index, name in enumerate(names):
                f.leaf("Data", ("sub", index, STRING), [("Name", ("text", name))])
            f.end(data)
    values = [(STRING, utf16(value)) for _, value in fields]
    return key, body, values


def direct_payload(offset, event, record_id):
    """A record without templates: every element and value written in place, as text."""
    f = Fragment(offset, dependency=event.dependency)
    f.out += b"\x0f\x01\x01\x00"
    root = f.open("Event", [("xmlns", ("text", EVENT_NS))])
    f.close_start()
    system = f.open("System")
    f.close_start()
    f.leaf("Provider", None, [("Name", ("text", event.provider)), ("Guid", ("text", "{%s}" % str(event.guid).upper()))])
    f.leaf("EventID", ("text", str(event.event_id)))
    f.leaf("Level", ("text", str(event.level)))
    f.leaf("TimeCreated", None, [("SystemTime", ("text", event.time))])
    f.leaf("EventRecordID", ("text", str(record_id)))
    f.leaf("Channel", ("text", event.channel))
    f.leaf("Computer", ("text", event.computer))
    f.end(system)
    if event.user_data is not None:
        name, fields = event.user_data
        user = f.open("UserData")
        f.close_start()
        element = f.open(name, [("xmlns", ("text", VML_NS))])
        f.close_start()
        for field, value in fields:
            f.leaf(field, ("text", value))
        for field, attributes in event.user_elements:
            f.leaf(field, None, [(a, ("text", v)) for a, v in attributes])
        f.end(element)
        f.end(user)
    else:
        data = f.open("EventData")
        f.close_start()
        for field, value in event.event_data or []:
            f.leaf("Data", ("text", value), [("Name", ("text", field))])
        f.end(data)
    if event.rendering is not None:
        info = f.open("RenderingInfo", [("Culture", ("text", "en-US"))])
        f.close_start()
        f.leaf("Message", ("text", event.rendering))
        f.leaf("Level", ("text", "Warning"))
        f.leaf("Provider", ("text", event.provider))
        f.end(info)
    f.end(root)
    f.out += b"\x00"
    return bytes(f.out)


def record_payload(offset, event, record_id, templates):
    """The binary XML of one record whose payload starts at chunk offset `offset`."""
    if event.direct:
        return direct_payload(offset, event, record_id)
    f = Fragment(offset)
    f.out += b"\x0f\x01\x01\x00"
    key = "S|%s|%s" % (event.provider, event.channel)
    template_instance(f, key, templates, uuid.uuid5(uuid.NAMESPACE_URL, key), system_template(event.provider, event.guid, event.channel))
    # The embedded fragment's own offsets are chunk offsets too: work out where its bytes will land.
    system_values = [
        (UINT16, struct.pack("<H", event.event_id)), (UINT8, bytes([event.version])), (UINT8, bytes([event.level])),
        (UINT16, struct.pack("<H", event.task)), (UINT8, bytes([event.opcode])), (HEX64, struct.pack("<Q", event.keywords)),
        (FILETIME, struct.pack("<Q", filetime(event.time))), (UINT64, struct.pack("<Q", record_id)), (NULL, b""),
        (UINT32, struct.pack("<I", event.process_id)), (UINT32, struct.pack("<I", event.thread_id)),
        (STRING, utf16(event.computer)), (SID, sid_bytes(event.user_sid)),
    ]
    count = len(system_values) + 1
    inner_offset = f.here() + 4 + 4 * count + sum(len(d) for _, d in system_values)
    inner = Fragment(inner_offset)
    inner.out += b"\x0f\x01\x01\x00"
    dkey, body, dvalues = data_template(event)
    template_instance(inner, dkey, templates, uuid.uuid5(uuid.NAMESPACE_URL, dkey), body)
    inner.out += values_block(dvalues) + b"\x00"
    f.out += values_block(system_values + [(BINXML, bytes(inner.out))])
    f.out += b"\x00"
    return bytes(f.out)


def chunk_bytes(events, first_id, written, header_checksum="valid"):
    """One chunk holding `events` (record ids from `first_id`); returns (bytes, events that did not fit)."""
    templates = {}
    records = bytearray()
    last = 512
    record_id = first_id
    placed = 0
    for event in events:
        offset = 512 + len(records)
        saved = dict(templates)
        payload = record_payload(offset + 24, event, record_id, templates)
        size = 24 + len(payload) + 4
        if offset + size > CHUNK:
            templates.clear()
            templates.update(saved)
            break
        records += struct.pack("<IIQQ", 0x2A2A, size, record_id, filetime(written or event.time)) + payload + struct.pack("<I", size)
        last = offset
        record_id += 1
        placed += 1
    header = bytearray(512)
    header[0:8] = b"ElfChnk\0"
    struct.pack_into("<QQQQIIII", header, 8, first_id, record_id - 1, first_id, record_id - 1, 128, last,
                     512 + len(records), zlib.crc32(bytes(records)) & 0xFFFFFFFF)
    # header_checksum: "valid", "zero" (never written) or "wrong" (a byte of the unused area changed afterwards).
    if header_checksum != "zero":
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:512])) & 0xFFFFFFFF)
    if header_checksum == "wrong":
        header[60] ^= 0x5A
    data = bytes(header) + bytes(records)
    return data + b"\0" * (CHUNK - len(data)), events[placed:]


def write_log(path, events, max_chunk_records=None, dirty=False, header_checksum="valid"):
    """Writes `events` to `path`, as many chunks as they need (at most `max_chunk_records` per chunk)."""
    chunks = []
    pending = list(events)
    next_id = 1
    while pending:
        batch = pending[:max_chunk_records] if max_chunk_records else pending
        data, rest = chunk_bytes(batch, next_id, None, header_checksum)
        placed = len(batch) - len(rest)
        if placed == 0:
            raise ValueError("an event does not fit in a chunk")
        chunks.append(data)
        next_id += placed
        pending = pending[placed:]
    header = bytearray(4096)
    header[0:8] = b"ElfFile\0"
    struct.pack_into("<QQQIHHHH", header, 8, 0, max(0, len(chunks) - 1), next_id, 128, 1, 3, 4096, len(chunks))
    struct.pack_into("<I", header, 120, 1 if dirty else 0)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(bytes(header))
        for chunk in chunks:
            f.write(chunk)
    return len(chunks)
