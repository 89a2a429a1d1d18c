// Reference: Microsoft, "Registry Policy File Format" (Group Policy, previous-versions/windows/desktop/Policy);
// [MS-GPREG] 2.2.1 "Registry Policy Message Syntax".

import HVXBinary
import HVXDiagnosis
import HVXDiskImage
import HVXExclusions
import HVXFormats
import HVXInventory
import HVXScan
import HVXVolume

/// Writes the plan as a Group Policy `Registry.pol` file (PReg version 1) holding Defender's exclusion policy keys,
/// for `LGPO.exe /m` or a GPO's `Machine\Registry.pol`.
///
/// Layout:
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | signature `PReg` (0x67655250 little-endian) |
/// | 4 | 4 | version, 1 (little-endian) |
/// | 8 | … | instructions `[key;value;type;size;data]`, every character UTF-16LE: key and value NUL-terminated, type and size 32-bit little-endian, data `size` bytes |
///
/// The keys are those of the "Microsoft Defender Antivirus > Exclusions" policies (no `HKLM\` prefix: the file's
/// place, `Machine`, says so): `Software\Policies\Microsoft\Windows Defender\Exclusions` with `Exclusions_Paths`,
/// `Exclusions_Extensions`, `Exclusions_Processes` = REG_DWORD 1, and one REG_SZ value per item under `Paths`,
/// `Extensions`, `Processes`, named by the item, data `"0"` (Defender reads only the names; the Group Policy editor
/// stores the string `0`). MS-GPREG caps a value name at 259 characters: a longer item cannot be written, and is
/// returned in ``Output/refused`` instead.
package enum RegistryPolicyExporter {
    /// The policy key, as a `Registry.pol` names it.
    package static let policyKey = "Software\\Policies\\Microsoft\\Windows Defender\\Exclusions"
    /// MS-GPREG 2.2.1: `Value = 1*259ValueCharacter`.
    package static let maximumValueNameLength = 259
    /// `REG_SZ`.
    package static let typeString: UInt32 = 1
    /// `REG_DWORD`.
    package static let typeDWORD: UInt32 = 4

    /// One registry value of the file.
    package struct Instruction: Equatable, Sendable {
        package var key: String
        package var value: String
        package var type: UInt32
        package var data: [UInt8]
    }

    /// The file and what could not go into it.
    package struct Output: Sendable {
        /// The `Registry.pol` bytes.
        package var bytes: [UInt8]
        /// Items left out, each with why (a value name over 259 characters, a held entry).
        package var refused: [String]
    }

    /// The instructions in file order, and the items that could not be written.
    package static func instructions(_ report: Report) -> (instructions: [Instruction], refused: [String]) {
        let plan = report.exclusions
        var refused: [String] = []
        var lists: [(name: String, items: [String])] = []
        var paths: [String] = []
        for entry in plan.paths {
            let value = entry.environmentPath ?? entry.path
            if let hold = entry.hold {
                refused.append(
                    "\(value): held (Defender detected \(hold.threat ?? "malware") in a file it covers); add it once the threat is handled"
                )
            } else {
                paths.append(value)
            }
        }
        lists.append(("Paths", paths))
        lists.append(("Extensions", plan.extensions.map { "." + DefenderPathPattern.normaliseExtension($0.extension) }))
        lists.append(("Processes", plan.processes.map(\.path)))
        var result: [Instruction] = []
        var written: [(name: String, items: [String])] = []
        for list in lists {
            var items: [String] = []
            for item in list.items {
                if item.utf16.count > maximumValueNameLength {
                    refused.append(
                        "\(item): \(item.utf16.count) characters, more than the \(maximumValueNameLength) a Registry.pol value name may hold (MS-GPREG 2.2.1); add it with the PowerShell script"
                    )
                } else {
                    items.append(item)
                }
            }
            written.append((list.name, items))
        }
        for list in written where !list.items.isEmpty {
            result.append(
                Instruction(key: policyKey, value: "Exclusions_" + list.name, type: typeDWORD, data: [1, 0, 0, 0]))
        }
        for list in written where !list.items.isEmpty {
            for item in list.items {
                result.append(
                    Instruction(key: policyKey + "\\" + list.name, value: item, type: typeString, data: utf16z("0")))
            }
        }
        return (result, refused)
    }

    /// The `Registry.pol` file for the plan.
    package static func render(_ report: Report) -> Output {
        let (instructions, refused) = instructions(report)
        var bytes: [UInt8] = Array("PReg".utf8) + [1, 0, 0, 0]
        for instruction in instructions {
            bytes += utf16("[") + utf16z(instruction.key) + utf16(";") + utf16z(instruction.value) + utf16(";")
            bytes +=
                littleEndian(instruction.type) + utf16(";") + littleEndian(UInt32(instruction.data.count)) + utf16(";")
            bytes += instruction.data + utf16("]")
        }
        return Output(bytes: bytes, refused: refused)
    }

    package static func utf16(_ text: String) -> [UInt8] { UTF16Text.encode(text, .little) }
    package static func utf16z(_ text: String) -> [UInt8] { utf16(text) + [0, 0] }
    package static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
