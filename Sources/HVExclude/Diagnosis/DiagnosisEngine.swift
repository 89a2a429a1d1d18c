import HVXBinary
import HVXFormats
import HVXVolume

/// A VM as the diagnosis sees it: its id, its name and the files and folders that belong to it.
package struct DiagnosisVM: Sendable, Equatable {
    /// VM id.
    package var id: GUID
    /// VM name.
    package var name: String
    /// Its configuration, disks (with their chains), state files and data folders.
    package var files: [WindowsPath]

    /// Whether `path` is one of the VM's files or lies in one of its folders.
    package func owns(_ path: WindowsPath) -> Bool { files.contains { $0.contains(path) } }

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(id: GUID, name: String, files: [WindowsPath]) {
        self.id = id
        self.name = name
        self.files = files
    }
}

/// What a finding is: a file held by an antivirus, or malware Defender found in a VM file.
package enum FindingKind: String, Codable, Sendable {
    /// An antivirus (or another file-system filter) held a VM file.
    case lock
    /// Defender detected malware in a VM file, or acted on it (1006/1015/1116, 1007/1008/1117–1119).
    case detection
}

/// What Defender's events say about malware in one file (docs/diagnosis.md, "Detections").
package struct DetectionFacts: Sendable, Equatable {
    /// One Defender event on the file.
    package struct Event: Sendable, Equatable {
        package var id: Int
        package var time: EVTXTimestamp
        /// `Action Name` as written (`Quarantine`, `Not Applicable`, …), when the event carries one.
        package var action: String?
    }

    /// `Threat Name` of the latest event that names one.
    package var threat: String?
    /// `Severity Name` (`Severe`, …).
    package var severity: String?
    /// `Action Name` of the latest event.
    package var action: String?
    /// `Process Name`: what opened the file when Defender scanned it.
    package var process: String?
    /// The events, oldest first.
    package var events: [Event]
    /// Whether a taken action (1117, 1007) that quarantined or removed the threat followed the last event that
    /// leaves it in place (a detection, a failed or critically failed action); only that ends a hold (DOMAIN.md).
    package var remediated: Bool

    /// Detections (1006, 1015, 1116) and failed remediations (1008, 1118, 1119) leave the threat in place.
    package static let threatStays: Set<Int> = [1006, 1015, 1116, 1008, 1118, 1119]
    /// Taken actions (1007, 1117): they end a hold when the action is quarantine or remove.
    package static let actionTaken: Set<Int> = [1007, 1117]
    /// Every Defender event id the diagnosis reads as a detection or remediation.
    package static let eventIds: Set<Int> = threatStays.union(actionTaken)

    /// Whether an action's name says the threat left the file (Quarantine, Remove; not Clean, Allow, Block, …).
    package static func removes(_ action: String?) -> Bool {
        guard let action = action?.lowercased() else { return false }
        return action.contains("quarantine") || action.contains("remove")
    }

    /// Recomputes `remediated` from the events (sorted by time first).
    package mutating func settle() {
        events.sort { ($0.time, $0.id) < ($1.time, $1.id) }
        let lastThreat = events.last { DetectionFacts.threatStays.contains($0.id) }?.time
        remediated = events.contains { event in
            DetectionFacts.actionTaken.contains(event.id) && DetectionFacts.removes(event.action)
                && lastThreat.map { event.time >= $0 } ?? true
        }
    }
}

/// One VM file (or, when the events name no file, one VM) that the event logs show held by an antivirus, or in
/// which Defender found malware (`kind`).
package struct LockFinding: Sendable, Equatable {
    /// A lock or a detection; a detection is never counted as a lock.
    package var kind: FindingKind = .lock
    /// Defender's facts, on detections only.
    package var detection: DetectionFacts? = nil
    /// The VM, when the events or the file identify it.
    package var vm: GUID?
    /// The VM's name.
    package var vmName: String?
    /// The held file; nil when the events name only the VM.
    package var file: WindowsPath?
    /// What the events showed.
    package var signatures: [LockSignature]
    /// The HRESULTs seen, e.g. `0x800704C8`.
    package var codes: [UInt32]
    /// First and last event.
    package var first: EVTXTimestamp
    package var last: EVTXTimestamp
    /// Number of events.
    package var count: Int
    /// Whether the planned exclusions cover the file (for a VM-only finding: all of the VM's files).
    package var coveredByPlan: Bool
    /// Whether the host's configured exclusions cover it; nil when they are unknown.
    package var coveredByConfigured: Bool?
    /// The planned entries that would cover what the configured exclusions miss.
    package var plannedEntries: [WindowsPath]
}

/// A Defender configuration change (event 5007) that touched the exclusions.
package struct ExclusionChange: Sendable, Equatable {
    package var time: EVTXTimestamp
    package var oldValue: String
    package var newValue: String

    /// The memberwise initialiser, `package` for the layers above (Swift synthesises it internal).
    package init(time: EVTXTimestamp, oldValue: String, newValue: String) {
        self.time = time
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

/// The diagnosis: what the logs say about antivirus locks, and how the exclusions answer it.
package struct Diagnosis: Sendable, Equatable {
    /// One per VM file (or VM) hit, VMs by name then files.
    package var findings: [LockFinding] = []
    /// Exclusion changes recorded by Defender, oldest first.
    package var exclusionChanges: [ExclusionChange] = []
    /// Events read from the logs (before matching).
    package var eventsRead = 0

    package init(findings: [LockFinding] = [], exclusionChanges: [ExclusionChange] = [], eventsRead: Int = 0) {
        self.findings = findings
        self.exclusionChanges = exclusionChanges
        self.eventsRead = eventsRead
    }

    /// The lock findings.
    package var locks: [LockFinding] { findings.filter { $0.kind == .lock } }
    /// The detection findings.
    package var detections: [LockFinding] { findings.filter { $0.kind == .detection } }
    /// Detections whose threat may still be in the file: their planned entries are held.
    package var heldDetections: [LockFinding] { detections.filter { $0.detection?.remediated != true } }

    /// The line the text output opens with: detections first (they change what to do), then locks, counted apart.
    package var summary: String {
        var parts: [String] = []
        let held = heldDetections
        if !held.isEmpty {
            let files = held.compactMap { $0.file?.description }
            let threats = Set(held.compactMap { $0.detection?.threat }).sorted()
            let last = held.map(\.last).max()!
            parts.append(
                "Malware detected in \(Self.list(files)) on \(Self.minutes(last))"
                    + (threats.isEmpty ? "" : " (\(Self.list(threats)))") + ": investigate before excluding")
        }
        let detections = self.detections
        if !detections.isEmpty {
            let events = detections.reduce(0) { $0 + $1.count }
            let removed = detections.count - held.count
            parts.append(
                "\(detections.count) malware detection\(detections.count == 1 ? "" : "s") (\(events) Defender event\(events == 1 ? "" : "s")"
                    + (removed > 0 ? ", \(removed) quarantined or removed" : "") + ")")
        }
        parts.append(lockSummary)
        return parts.joined(separator: "; ")
    }

    /// The locks' part of the summary.
    private var lockSummary: String {
        let findings = locks
        guard !findings.isEmpty else { return "no antivirus file locks in the event logs (\(eventsRead) events read)" }
        let vms = Set(findings.compactMap { $0.vm?.description ?? $0.file.map { "path:" + $0.key } }).count
        let events = findings.reduce(0) { $0 + $1.count }
        let last = findings.map(\.last).max()!
        var text =
            "\(vms) VM\(vms == 1 ? "" : "s") hit by file locks (\(events) event\(events == 1 ? "" : "s")), last on \(Self.minutes(last))"
        let missed = findings.filter { $0.coveredByConfigured == false }
        if findings.contains(where: { $0.coveredByConfigured == nil }) && missed.isEmpty {
            text += "; the configured exclusions are unknown (no SOFTWARE hive)"
        } else if missed.isEmpty {
            text += "; all covered by the configured exclusions"
        } else {
            var entries: [WindowsPath] = []
            for entry in missed.flatMap(\.plannedEntries) where !entries.contains(entry) { entries.append(entry) }
            let what = missed.compactMap { $0.file?.description ?? $0.vmName }
            text += "; not covered today by the configured exclusions: \(Self.list(what))"
            if !entries.isEmpty {
                text +=
                    " — the plan covers \(missed.count == 1 ? "it" : "them") with \(Self.list(entries.map(\.description)))"
            }
            if missed.contains(where: { !$0.coveredByPlan }) { text += " (some not even by the plan)" }
        }
        return text
    }

    package static func minutes(_ time: EVTXTimestamp) -> String {
        let text = time.description
        return String(text.prefix(16)).replacing("T", with: " ") + " UTC"
    }

    package static func list(_ items: [String]) -> String {
        items.count <= 3
            ? items.joined(separator: ", ") : items.prefix(3).joined(separator: ", ") + " and \(items.count - 3) more"
    }
}

/// Matches event-log events against the lock signatures and answers, for each VM file hit, whether the plan and
/// the configured exclusions cover it. Pure: events, VMs and two coverage questions in, findings out.
package enum DiagnosisEngine {
    /// - Parameters:
    ///   - events: events of the Hyper-V admin channels and Defender's operational channel.
    ///   - vms: the host's VMs.
    ///   - plannedEntry: the planned exclusion entry that covers a path, or nil.
    ///   - configuredCovers: whether the host's configured exclusions cover a path; nil when they are unknown.
    package static func diagnose(
        events: [EVTXEvent], vms: [DiagnosisVM], plannedEntry: (WindowsPath) -> WindowsPath?,
        configuredCovers: ((WindowsPath) -> Bool)?
    ) -> Diagnosis {
        var groups: [GroupKey: LockFinding] = [:]
        var order: [GroupKey] = []
        var changes: [ExclusionChange] = []
        for event in events {
            if let change = exclusionChange(event) { changes.append(change); continue }
            guard let hit = classify(event, vms: vms) else { continue }
            let key = GroupKey(vm: hit.vm?.id, file: hit.file, kind: hit.detection == nil ? .lock : .detection)
            if var finding = groups[key] {
                if let facts = hit.detection {
                    finding.detection?.events += facts.events
                    if let threat = facts.threat { finding.detection?.threat = threat }
                    if let severity = facts.severity { finding.detection?.severity = severity }
                    if let action = facts.action { finding.detection?.action = action }
                    if let process = facts.process { finding.detection?.process = process }
                }
                if !finding.signatures.contains(hit.signature) { finding.signatures.append(hit.signature) }
                if let code = hit.code, !finding.codes.contains(code) { finding.codes.append(code) }
                finding.first = min(finding.first, event.time)
                finding.last = max(finding.last, event.time)
                finding.count += 1
                groups[key] = finding
            } else {
                order.append(key)
                groups[key] = LockFinding(
                    kind: key.kind, detection: hit.detection,
                    vm: hit.vm?.id, vmName: hit.vm?.name, file: hit.file, signatures: [hit.signature],
                    codes: hit.code.map { [$0] } ?? [], first: event.time, last: event.time, count: 1,
                    coveredByPlan: false, coveredByConfigured: nil, plannedEntries: [])
            }
        }
        var findings = order.map { groups[$0]! }
        for index in findings.indices {
            var finding = findings[index]
            finding.signatures.sort()
            finding.codes.sort()
            finding.detection?.settle()
            let targets: [WindowsPath] =
                finding.file.map { [$0] }
                ?? vms.first { $0.id == finding.vm }?.files ?? []
            finding.coveredByPlan = !targets.isEmpty && targets.allSatisfy { plannedEntry($0) != nil }
            if let configuredCovers {
                let missed = targets.filter { !configuredCovers($0) }
                finding.coveredByConfigured = !targets.isEmpty && missed.isEmpty
                var entries: [WindowsPath] = []
                for path in missed {
                    if let entry = plannedEntry(path), !entries.contains(entry) { entries.append(entry) }
                }
                finding.plannedEntries = entries
            } else {
                finding.plannedEntries = []
            }
            findings[index] = finding
        }
        // Detections first: they change what to do with the plan.
        findings.sort { lhs, rhs in
            let l = (lhs.kind == .detection ? 0 : 1, lhs.vmName ?? "\u{10FFFF}", lhs.file?.key ?? "")
            let r = (rhs.kind == .detection ? 0 : 1, rhs.vmName ?? "\u{10FFFF}", rhs.file?.key ?? "")
            return l < r
        }
        return Diagnosis(
            findings: findings, exclusionChanges: changes.sorted { $0.time < $1.time }, eventsRead: events.count)
    }

    private struct GroupKey: Hashable {
        var vm: GUID?
        var file: WindowsPath?
        var kind: FindingKind
    }

    package struct Hit {
        package var signature: LockSignature
        package var code: UInt32?
        package var vm: DiagnosisVM?
        package var file: WindowsPath?
        /// Defender's facts, for a detection or remediation.
        package var detection: DetectionFacts? = nil
    }

    /// The lock signature an event shows, with the VM and file it names; nil when it shows none.
    package static func classify(_ event: EVTXEvent, vms: [DiagnosisVM]) -> Hit? {
        if isDefender(event) { return detection(event, vms: vms) }
        guard isHyperV(event) else { return nil }
        // Informational events never report a failure; critical, error and warning do (levels 1–3, 0 = always).
        if let level = event.level, level >= 4 { return nil }
        guard let code = event.data.lazy.compactMap({ hresult(in: $0.value) }).first,
            let byCode = LockSignature.codes[code]
        else { return nil }
        var signature = byCode
        if event.eventId == 4096 && code == 0x8007_04C8 && event.isFrom("Config") {
            signature = .configurationInaccessible
        }
        if event.eventId == 19060 && code == 0x8007_0037 && event.isFrom("VMMS") { signature = .savedStateUnavailable }
        let paths = event.data.flatMap { windowsPaths(in: $0.value) }
        let ids = event.data.compactMap { GUID(trimmedBraces($0.value)) }
        var vm = vms.first { ids.contains($0.id) }
        let file =
            paths.first { path in vm?.owns(path) ?? vms.contains { $0.owns(path) } }
            ?? paths.first { $0.hasHyperVExtension }
        if vm == nil, let file { vm = vms.first { $0.owns(file) } }
        if vm == nil {
            let names = Set(event.data.map { NTFSName.fold($0.value) })
            vm = vms.first { names.contains(NTFSName.fold($0.name)) }
        }
        if event.eventId == 19100 && code == 0x8007_0020 && event.isFrom("VMMS") {
            signature = .checkpointMergeFailed
        } else if event.isFrom("Worker") || event.isFrom("Config"), signature != .configurationInaccessible,
            let name = file?.lastComponent?.lowercased(), let dot = name.lastIndex(of: "."),
            let byType = LockSignature.byFileType(String(name[dot...]))
        {
            signature = byType
        }
        if signature.needsVMFile
            && file.map({ path in vms.contains { $0.owns(path) } || path.hasHyperVExtension }) != true
        {
            return nil
        }
        guard vm != nil || file != nil else { return nil }
        return Hit(signature: signature, code: code, vm: vm, file: file)
    }

    /// A Defender detection or remediation event: its facts, and the first file it names that a VM owns or that
    /// has a Hyper-V file's extension; nil when it names none.
    static func detection(_ event: EVTXEvent, vms: [DiagnosisVM]) -> Hit? {
        let id = Int(event.eventId ?? 0)
        guard DetectionFacts.eventIds.contains(id) else { return nil }
        let signature: LockSignature = [1006, 1015, 1116].contains(id) ? .defenderDetection : .defenderRemediation
        func field(_ name: String) -> String? {
            event.data.first { normalized($0.name) == name }.map(\.value).flatMap { $0.isEmpty ? nil : $0 }
        }
        let action = field("actionname")
        let facts = DetectionFacts(
            threat: field("threatname"), severity: field("severityname"), action: action,
            process: field("processname"),
            events: [DetectionFacts.Event(id: id, time: event.time, action: action)], remediated: false)
        // Defender lists resources as `file:_C:\…; process:_pid:…` (one or more, separated by "; ").
        let resources = event.data.filter { normalized($0.name) == "path" }.flatMap {
            $0.value.split(separator: ";")
        }
        for resource in resources {
            var text = resource.trimmingPrefix(" ")
            guard text.hasPrefix("file:_") else { continue }
            text = text.dropFirst(6)
            guard let path = WindowsPath(String(text)), path.isAbsoluteFilePath else { continue }
            if let vm = vms.first(where: { $0.owns(path) }) {
                return Hit(signature: signature, vm: vm, file: path, detection: facts)
            }
            if path.hasHyperVExtension { return Hit(signature: signature, file: path, detection: facts) }
        }
        return nil
    }

    package static func exclusionChange(_ event: EVTXEvent) -> ExclusionChange? {
        guard isDefender(event), event.eventId == 5007 else { return nil }
        let old = event.data.first { normalized($0.name) == "oldvalue" }?.value ?? ""
        let new = event.data.first { normalized($0.name) == "newvalue" }?.value ?? ""
        // Sigma's rule for added exclusions matches this key inside NewValue (DOMAIN.md).
        guard (old + "\n" + new).lowercased().contains("\\windows defender\\exclusions\\") else { return nil }
        return ExclusionChange(time: event.time, oldValue: old, newValue: new)
    }

    package static func isDefender(_ event: EVTXEvent) -> Bool {
        event.provider == DiagnosisChannels.defenderProvider || event.channel == DiagnosisChannels.defender
    }

    package static func isHyperV(_ event: EVTXEvent) -> Bool {
        event.provider.hasPrefix(DiagnosisChannels.hyperVProviderPrefix)
            || DiagnosisChannels.hyperV.contains(event.channel)
    }

    /// Field names as Defender writes them vary (`Threat Name` in the log, `ThreatName` in the manifest).
    package static func normalized(_ name: String) -> String { name.lowercased().filter { $0 != " " } }

    package static func trimmedBraces(_ text: String) -> String {
        text.hasPrefix("{") && text.hasSuffix("}") ? String(text.dropFirst().dropLast()) : text
    }

    /// The first lock-relevant HRESULT in `text`: `0x8007….` in hex, or as a signed or unsigned decimal.
    package static func hresult(in text: String) -> UInt32? {
        let bytes = Array(text.utf8)
        var index = 0
        while index + 10 <= bytes.count {
            if bytes[index] == UInt8(ascii: "0"), bytes[index + 1] | 0x20 == UInt8(ascii: "x"),
                let value = UInt32(String(decoding: bytes[index + 2..<index + 10], as: UTF8.self), radix: 16),
                index + 10 == bytes.count || !isHexDigit(bytes[index + 10])
            {
                if LockSignature.codes[value] != nil { return value }
            }
            index += 1
        }
        // Some fields carry the code as a number: 2147943624 or -2147023672.
        if let value = Int64(text), let code = UInt32(exactly: value < 0 ? value + 0x1_0000_0000 : value),
            LockSignature.codes[code] != nil
        {
            return code
        }
        return nil
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 102)
    }

    /// Absolute Windows paths in a field: the whole value, or a quoted part of it (`'D:\VMs\a.vhdx'`).
    package static func windowsPaths(in text: String) -> [WindowsPath] {
        if let path = WindowsPath(text), path.isAbsoluteFilePath { return [path] }
        var out: [WindowsPath] = []
        for quote in ["'", "\""] {
            let parts = text.split(separator: Character(quote), omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            for index in stride(from: 1, to: parts.count - 1, by: 2) {
                if let path = WindowsPath(String(parts[index])), path.isAbsoluteFilePath { out.append(path) }
            }
        }
        return out
    }
}

extension EVTXEvent {
    /// Whether the event comes from Hyper-V's `component` (provider `…-Hyper-V-<component>` or channel
    /// `…-Hyper-V-<component>-Admin`).
    package func isFrom(_ component: String) -> Bool {
        provider == "Microsoft-Windows-Hyper-V-\(component)"
            || channel == "Microsoft-Windows-Hyper-V-\(component)-Admin"
    }
}

extension WindowsPath {
    /// A drive or UNC path below its root (not a bare `C:\`).
    package var isAbsoluteFilePath: Bool { !isRoot }

    /// Whether the last component carries a Hyper-V file extension (docs/exclusion-policy.md, rule 2; not `.xml`, `.bin`
    /// or `.iso`, which other software uses as well).
    package var hasHyperVExtension: Bool {
        guard let name = lastComponent?.lowercased(), let dot = name.lastIndex(of: ".") else { return false }
        return HyperVFileType.diagnosable.contains(String(name[name.index(after: dot)...]))
    }
}
