// Reference: Microsoft "Virtual Hard Disk Image Format Specification" 1.0 (footer, dynamic header, parent locators)
import HVXBinary

/// What a VHD file says about itself: the footer, and for dynamic and differencing disks the dynamic header
/// and the decoded parent locators.
///
/// | absolute offset | size | structure |
/// |---|---|---|
/// | EOF − 512 (or − 511) | 512 | ``VHDFooter`` |
/// | 0 | 512 | footer copy (dynamic and differencing disks) |
/// | footer data offset | 1024 | ``VHDDynamicHeader`` |
/// | locator data offsets | data length each | parent locator data (``LocatorData``) |
package struct VHDFile: Sendable {
    /// Largest parent locator data read (a Windows path of 32767 UTF-16 units fits).
    static let maximumLocatorLength: UInt32 = 0x10000

    /// A parent locator's decoded data.
    package struct LocatorData: Sendable, Equatable {
        /// Platform code (`W2ru`, `W2ku`, `Wi2r`, `Wi2k`, `Mac `, `MacX`, …).
        var platformCode: String
        /// Absolute offset of the data.
        package var offset: UInt64
        /// The path it holds; `nil` for Mac aliases and unknown codes, which are read but not resolved.
        package var text: String?
    }

    /// The footer in use (normally the one at the end of the file).
    var footer: VHDFooter
    /// The dynamic header of a dynamic or differencing disk.
    var dynamicHeader: VHDDynamicHeader?
    /// Decoded parent locator data, in entry order.
    var locators: [LocatorData]
    /// Non-fatal problems, each with an offset (a handful at most: the structures are few, so no cap).
    package var warnings: [Diagnostic]

    /// Reads the footer, its copy, the dynamic header and the parent locators of the VHD file behind `file`.
    /// - Throws: ``BinaryFormatError`` when no valid footer exists or the dynamic header is missing or invalid;
    ///   ``SystemError`` on an I/O error.
    package init(reading file: FileReader) throws {
        var warnings: [Diagnostic] = []
        guard file.size >= UInt64(VHDFooter.size - 1) else {
            throw BinaryFormatError(
                "VHD footer", at: 0, "truncated: the file has \(file.size) bytes, a footer needs \(VHDFooter.size)")
        }
        func footer(at offset: UInt64, count: Int) throws -> VHDFooter {
            var reader = try file.reader(at: offset, count: count, structure: "VHD footer")
            return try VHDFooter(parsing: &reader)
        }
        var found: VHDFooter
        var atEnd = true
        do {
            guard file.size >= UInt64(VHDFooter.size) else {
                throw BinaryFormatError("VHD footer", at: 0, "truncated: the file has \(file.size) bytes")
            }
            found = try footer(at: file.size - UInt64(VHDFooter.size), count: VHDFooter.size)
        } catch let endError as BinaryFormatError {
            if let old = try? footer(at: file.size - UInt64(VHDFooter.size - 1), count: VHDFooter.size - 1) {
                warnings.append(
                    .vhdFooterShort, at: .offset(old.offset),
                    "VHD footer at \(hex(old.offset)): only 511 bytes long (an old Virtual PC footer, or the file lost "
                        + "its last byte); read on")
                found = old
            } else if file.size >= UInt64(VHDFooter.size), let copy = try? footer(at: 0, count: VHDFooter.size),
                copy.diskType != 2
            {
                warnings.append(
                    .vhdFooterUnreadable, at: .offset(endError.offset),
                    "\(endError.description); using the footer copy at 0x0")
                found = copy
                atEnd = false
            } else {
                throw endError
            }
        }
        if !found.checksumMatches {
            warnings.append(
                .vhdFooterChecksum, at: .offset(found.offset),
                "VHD footer at \(hex(found.offset)): checksum mismatch (stored \(hex(found.checksum)), computed "
                    + "\(hex(found.computedChecksum))); read on")
        }
        if atEnd && found.diskType != 2 {
            do {
                let copy = try footer(at: 0, count: VHDFooter.size)
                if copy.uniqueID != found.uniqueID || copy.diskType != found.diskType
                    || copy.currentSize != found.currentSize
                {
                    warnings.append(
                        .vhdFooterCopyDiffers, at: .offset(0),
                        "VHD footer copy at 0x0 differs from the footer at \(hex(found.offset)); using the latter")
                }
            } catch let error as BinaryFormatError {
                warnings.append(
                    .vhdFooterCopyUnreadable, at: .offset(error.offset),
                    "\(error.description) (the footer copy of a dynamic disk); using the footer at the end")
            }
        }
        self.footer = found

        var locators: [LocatorData] = []
        if found.diskType != 2 {
            var reader = try file.reader(
                at: found.dataOffset, count: VHDDynamicHeader.size, structure: "VHD dynamic header")
            let header = try VHDDynamicHeader(parsing: &reader)
            if !header.checksumMatches {
                warnings.append(
                    .vhdDynamicHeaderChecksum, at: .offset(header.offset),
                    "VHD dynamic header at \(hex(header.offset)): checksum mismatch (stored \(hex(header.checksum)), "
                        + "computed \(hex(header.computedChecksum))); read on")
            }
            if found.diskType == 4 {
                for locator in header.locators {
                    if let data = VHDFile.readLocator(locator, from: file, warnings: &warnings) {
                        locators.append(data)
                    }
                }
            }
            dynamicHeader = header
        }
        self.locators = locators
        self.warnings = warnings
    }

    /// Reads and decodes one locator's data; problems become warnings and the locator is skipped.
    static func readLocator(
        _ locator: VHDDynamicHeader.Locator, from file: FileReader, warnings: inout [Diagnostic]
    ) -> LocatorData? {
        let place = "VHD parent locator \(locator.platformCode) at \(hex(locator.entryOffset))"
        guard locator.dataLength <= maximumLocatorLength else {
            warnings.append(
                .vhdLocatorTooLong, at: .offset(locator.entryOffset),
                "\(place): data length \(locator.dataLength) exceeds \(maximumLocatorLength) bytes; skipped")
            return nil
        }
        let (end, overflow) = locator.dataOffset.addingReportingOverflow(UInt64(locator.dataLength))
        guard !overflow, end <= file.size else {
            warnings.append(
                .vhdLocatorPastEnd, at: .offset(locator.entryOffset),
                "\(place): \(locator.dataLength) bytes at \(hex(locator.dataOffset)) lie past the end of the file "
                    + "(size \(hex(file.size))); skipped")
            return nil
        }
        let bytes: [UInt8]
        do {
            bytes = try file.read(at: locator.dataOffset, count: Int(locator.dataLength))
        } catch {
            warnings.append(.vhdLocatorUnreadable, at: .offset(locator.dataOffset), "\(place): \(error); skipped")
            return nil
        }
        var text: String?
        switch locator.platformCode {
        case "W2ru", "W2ku":
            // Windows writes these little-endian; a big-endian writer shows as a NUL before the first ASCII byte.
            var order = Endianness.little
            if bytes.count >= 2 && bytes[0] == 0 && bytes[1] != 0 {
                order = .big
                warnings.append(
                    .vhdLocatorBigEndian, at: .offset(locator.dataOffset),
                    "\(place): the path is UTF-16 big-endian, not little-endian as Windows writes it")
            }
            text = UTF16Text.decode(bytes.count % 2 == 0 ? bytes : Array(bytes.dropLast()), order, stopAtNUL: true)
        case "Wi2r", "Wi2k", "MacX":
            let cut = bytes.firstIndex(of: 0).map { Array(bytes[..<$0]) } ?? bytes
            text = String(decoding: cut, as: UTF8.self)
        default:
            text = nil
        }
        return LocatorData(platformCode: locator.platformCode, offset: locator.dataOffset, text: text)
    }
}
