// Reference: Microsoft Learn "Supported virtual machine configuration versions" (virtualization docs: 5.0 =
// Windows Server 2012 R2, 8.0 = 2016, 9.0 = 2019, 10.0 = 2022, 12.0 = 2025) — used as "at least" evidence only;
// MS-VHDX 2.2.1 (the file identifier's creator string, "Microsoft Windows 10.0.20348.0" as Windows writes it).
import HVXFormats
import HVXVolume

/// The Windows release when SOFTWARE cannot tell it: from the kernel's file version, else from the newest VM
/// configuration version or VHDX creator string on the volumes — each named as the evidence, never a silent guess.
package enum WindowsVersionEvidence {
    /// One inferred release with what it came from.
    package struct Inference: Equatable {
        package var build: Int?
        package var generation: HostFacts.WindowsGeneration
        package var exact: Bool
        package var evidence: String
    }

    /// The lowest server generation that runs VM configuration version `version` (major << 8 | minor).
    package static func generation(configurationVersion version: Int) -> HostFacts.WindowsGeneration? {
        switch version >> 8 {
        case 12...: .v2025
        case 10, 11: .v2022
        case 9: .v2019
        case 6...8: .v2016
        case 5: .v2012R2
        case 3, 4: .v2012
        default: nil
        }
    }

    /// The build in a creator string such as "Microsoft Windows 10.0.20348.0" (the third number).
    package static func build(creator: String) -> Int? {
        guard creator.contains("Windows") else { return nil }
        for word in creator.split(separator: " ") {
            let parts = word.split(separator: ".")
            if parts.count >= 3, parts.allSatisfy({ Int($0) != nil }), let build = Int(parts[2]), build >= 6000 {
                return build
            }
        }
        return nil
    }

    /// The kernel's file version: `%SystemRoot%\System32\ntoskrnl.exe` on the scanned volume.
    static func kernel(map: VolumeMap, environment: WindowsEnvironment, findings: inout [Finding]) -> Inference? {
        guard let path = environment.path("%SystemRoot%\\System32\\ntoskrnl.exe"),
            case .found(let host, .file) = map.resolve(path)
        else { return nil }
        let shown = map.windowsPath(forHostPath: host)?.description ?? path.description
        do {
            guard let version = try PEFileVersion.read(file: map.openFile(host, readBudget: PEFileVersion.readBudget))
            else {
                findings.append(
                    Finding(
                        .hive, at: .windowsPath(shown), message: "no version resource: the kernel's version is unknown",
                        severity: .warning))
                return nil
            }
            guard let match = HostFacts.WindowsGeneration.forBuild(version.build) else { return nil }
            return Inference(
                build: version.build, generation: match.generation, exact: match.exact,
                evidence: "\(shown) file version \(version) (build \(version.build))")
        } catch {
            findings.append(
                Finding(
                    .hive, at: .windowsPath(shown), message: "could not read the kernel's version: \(error)",
                    severity: .warning))
            return nil
        }
    }

    /// The newest release the VM configurations and VHDX creator strings point at.
    package static func artifacts(records: [VirtualMachine], disks: [VirtualDisk]) -> Inference? {
        var best: Inference?
        func consider(_ candidate: Inference) {
            if best == nil || best!.generation < candidate.generation { best = candidate }
        }
        for record in records {
            guard let version = record.configurationVersion, let generation = generation(configurationVersion: version)
            else { continue }
            consider(
                Inference(
                    build: nil, generation: generation, exact: false,
                    evidence:
                        "VM configuration version \(record.configurationVersionText ?? "?") in \(record.configuration.text) "
                        + "(needs Windows Server \(generation.rawValue) or later; inferred)"))
        }
        for disk in disks where disk.format == .vhdx {
            guard let build = build(creator: disk.creator), let match = HostFacts.WindowsGeneration.forBuild(build)
            else { continue }
            consider(
                Inference(
                    build: build, generation: match.generation, exact: false,
                    evidence:
                        "VHDX creator \"\(disk.creator)\" (build \(build); the disk may have been made on another host; inferred)"
                ))
        }
        return best
    }

    /// Fills `facts.windows` from evidence when SOFTWARE could not say it, and records why.
    static func fill(
        _ facts: inout HostFacts?, softwareProblem: String?, map: VolumeMap, environment: WindowsEnvironment,
        records: [VirtualMachine], disks: [VirtualDisk], findings: inout [Finding]
    ) {
        guard facts?.windows == nil, let problem = softwareProblem else { return }
        let inference =
            kernel(map: map, environment: environment, findings: &findings)
            ?? artifacts(records: records, disks: disks)
        guard let inference else {
            findings.append(
                Finding(
                    .hive, at: .registry(hive: "C:\\Windows\\System32\\config\\SOFTWARE", key: nil),
                    message:
                        "SOFTWARE is \(problem), and neither ntoskrnl.exe, a VM configuration version nor a VHDX creator string tells the Windows release: it is unknown",
                    severity: .warning))
            return
        }
        var known = facts ?? HostFacts.read(software: nil, system: nil)
        known.windows = HostFacts.Windows(
            productName: nil, currentBuild: nil, installationType: nil, editionID: nil, build: inference.build,
            isServer: nil,
            generation: inference.generation, exactBuild: false,
            evidence: "SOFTWARE is \(problem); the release comes from \(inference.evidence)")
        facts = known
        findings.append(
            Finding(
                .hive, at: .registry(hive: "C:\\Windows\\System32\\config\\SOFTWARE", key: nil),
                message:
                    "SOFTWARE is \(problem): Windows Server \(inference.generation.rawValue) rules apply, from \(inference.evidence)",
                severity: .info))
    }
}
