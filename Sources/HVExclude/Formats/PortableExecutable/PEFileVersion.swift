// Reference: Microsoft Learn "PE Format" (Win32 docs: MS-DOS stub e_lfanew at 0x3C, COFF file header, optional
// header data directories, section table, ".rsrc section" resource directory tables and entries) and
// "VS_VERSIONINFO" / "VS_FIXEDFILEINFO" (version resource layout, signature 0xFEEF04BD).
import HVXBinary

/// The file version in a PE image's version resource (`VS_FIXEDFILEINFO`), e.g. ntoskrnl.exe's 10.0.17763.1.
///
/// Reads only what it needs: the headers (the first 4 KiB), then the resource directory chain type 16
/// (RT_VERSION) → first name → first language → data entry, then the version block itself.
///
/// | structure | offset | field |
/// |---|---|---|
/// | DOS header | 0 / 0x3C | `MZ` / u32 offset of the PE header |
/// | PE header | 0 / 4 | `PE\0\0` / COFF header: u16 machine, u16 section count @6, u16 optional header size @20 |
/// | optional header | 0 | u16 magic 0x10B (PE32) or 0x20B (PE32+); data directories at 96 / 112, resource = index 2 (u32 RVA, u32 size) |
/// | section header (40 bytes) | 8 / 12 / 16 / 20 | u32 virtual size / RVA / raw size / raw offset |
/// | resource directory (16 bytes) | 12 / 14 | u16 named entries / u16 id entries, then 8-byte entries: u32 name or id, u32 offset (bit 31 = subdirectory), from the .rsrc start |
/// | resource data entry | 0 / 4 | u32 RVA / u32 size |
/// | VS_VERSIONINFO | 0 / 2 / 6 | u16 length / u16 value length / "VS_VERSION_INFO" UTF-16, padded to 4 bytes, then VS_FIXEDFILEINFO |
/// | VS_FIXEDFILEINFO | 0 / 8 / 12 | u32 0xFEEF04BD / u32 file version MS (major << 16 | minor) / LS (build << 16 | revision) |
package struct PEFileVersion: Sendable, Equatable, CustomStringConvertible {
    var major: Int
    var minor: Int
    package var build: Int
    var revision: Int

    package var description: String { "\(major).\(minor).\(build).\(revision)" }

    /// Largest resource section walked.
    static let maximumResourceSize = 32 << 20

    /// Reads the version resource of the PE file at `path`; nil when the image has none.
    /// - Throws: ``SystemError`` when the file cannot be read; ``BinaryFormatError`` when it is not a PE image
    ///   or a structure on the way is out of bounds.
    package static func read(path: String) throws -> PEFileVersion? {
        try read(file: try FileReader(path: path, readBudget: readBudget))
    }

    /// Bytes one image may read.
    package static var readBudget: UInt64 { UInt64(4096 + maximumResourceSize) }

    /// Reads the version resource through an open reader (a file inside a disk image); see ``read(path:)``.
    /// - Throws: as ``read(path:)``.
    package static func read(file: FileReader) throws -> PEFileVersion? {
        var dos = try file.reader(at: 0, count: 64, structure: "PE DOS header")
        guard try dos.bytes(count: 2) == Array("MZ".utf8) else {
            throw dos.error("signature is not \"MZ\": not a PE image", at: 0)
        }
        try dos.seek(to: 0x3C)
        let peOffset = UInt64(try dos.u32(.little))
        guard peOffset < 4096 - 24 else {
            throw dos.error("PE header offset \(hex(peOffset)) lies past the first 4 KiB", at: 0x3C)
        }
        let headers = try file.read(at: 0, count: 4096)
        var pe = ByteReader(Array(headers[Int(peOffset)...]), baseOffset: peOffset, structure: "PE header")
        guard try pe.bytes(count: 4) == [0x50, 0x45, 0, 0] else {
            throw pe.error("signature is not \"PE\\0\\0\"", at: 0)
        }
        try pe.seek(to: 6)
        let sectionCount = Int(try pe.u16(.little))
        try pe.seek(to: 20)
        let optionalSize = Int(try pe.u16(.little))
        let optionalStart = 24
        try pe.seek(to: optionalStart)
        let magic = try pe.u16(.little)
        let directories: Int
        switch magic {
        case 0x10B: directories = optionalStart + 96
        case 0x20B: directories = optionalStart + 112
        default: throw pe.error("optional header magic \(hex(magic)) is neither PE32 nor PE32+", at: optionalStart)
        }
        guard directories + 3 * 8 <= optionalStart + optionalSize else { return nil }  // no resource directory entry
        try pe.seek(to: directories + 2 * 8)
        let resourceRVA = try pe.u32(.little)
        let resourceSize = try pe.u32(.little)
        guard resourceRVA != 0, resourceSize != 0 else { return nil }
        // The section holding the resource directory gives the RVA → file offset mapping.
        try pe.seek(to: optionalStart + optionalSize)
        var rsrc: (rva: UInt32, size: UInt32, offset: UInt32)?
        for _ in 0..<sectionCount {
            try pe.skip(8)
            let virtualSize = try pe.u32(.little)
            let rva = try pe.u32(.little)
            let rawSize = try pe.u32(.little)
            let rawOffset = try pe.u32(.little)
            try pe.skip(16)
            let span = max(virtualSize, rawSize)
            if resourceRVA >= rva, UInt64(resourceRVA) < UInt64(rva) + UInt64(span) { rsrc = (rva, rawSize, rawOffset) }
        }
        guard let rsrc else {
            throw pe.error("no section holds the resource directory at RVA \(hex(resourceRVA))", at: 0)
        }
        guard Int(rsrc.size) <= maximumResourceSize else {
            throw BinaryFormatError(
                "PE resource section", at: UInt64(rsrc.offset),
                "\(rsrc.size) bytes exceed the \(maximumResourceSize >> 20) MiB cap")
        }
        let section = try file.read(at: UInt64(rsrc.offset), count: Int(rsrc.size))
        let base = Int(resourceRVA - rsrc.rva)
        var resources = ByteReader(section, baseOffset: UInt64(rsrc.offset), structure: "PE resource directory")
        // type RT_VERSION (16) → first name → first language.
        guard let names = try entry(&resources, directory: base, id: 16, base: base),
            let languages = try entry(&resources, directory: names.offset, id: nil, base: base),
            let data = try entry(&resources, directory: languages.offset, id: nil, base: base)
        else { return nil }
        guard !data.isDirectory else {
            throw resources.error("the version resource's language entry is a directory", at: data.offset)
        }
        try resources.seek(to: data.offset)
        let dataRVA = try resources.u32(.little)
        let dataSize = Int(try resources.u32(.little))
        guard dataRVA >= rsrc.rva else {
            throw resources.error("version data RVA \(hex(dataRVA)) lies before the section", at: data.offset)
        }
        var version = try resources.sub(
            at: Int(dataRVA - rsrc.rva), count: min(dataSize, section.count - Int(dataRVA - rsrc.rva)),
            structure: "VS_VERSIONINFO")
        // "VS_VERSION_INFO" (15 characters + NUL = 32 bytes) after 6 bytes of header, padded to 40.
        try version.seek(to: 6)
        guard try version.utf16(byteCount: 30, .little) == "VS_VERSION_INFO" else {
            throw version.error("key is not \"VS_VERSION_INFO\"", at: 6)
        }
        try version.seek(to: 40)
        let signature = try version.u32(.little)
        guard signature == 0xFEEF_04BD else {
            throw version.error("VS_FIXEDFILEINFO signature \(hex(signature)), expected 0xFEEF04BD", at: 40)
        }
        try version.skip(4)
        let high = try version.u32(.little)
        let low = try version.u32(.little)
        return PEFileVersion(
            major: Int(high >> 16), minor: Int(high & 0xFFFF), build: Int(low >> 16), revision: Int(low & 0xFFFF))
    }

    /// The entry with `id` (or the first entry when `id` is nil) of the resource directory at `directory`.
    private static func entry(
        _ reader: inout ByteReader, directory: Int, id: UInt32?, base: Int
    ) throws -> (offset: Int, isDirectory: Bool)? {
        try reader.seek(to: directory + 12)
        let named = Int(try reader.u16(.little))
        let ids = Int(try reader.u16(.little))
        guard named + ids <= 4096 else {
            throw reader.error("\(named + ids) entries in one resource directory", at: directory + 12)
        }
        for index in 0..<(named + ids) {
            let name = try reader.u32(.little)
            let target = try reader.u32(.little)
            if let id, index < named || name != id { continue }
            let offset = base + Int(target & 0x7FFF_FFFF)
            guard offset < reader.count else {
                throw reader.error("resource entry points past the section (\(hex(offset)))", at: directory)
            }
            return (offset, target & 0x8000_0000 != 0)
        }
        return nil
    }
}
