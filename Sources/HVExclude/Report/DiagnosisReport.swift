import HVXDiagnosis
import HVXInventory

/// The `diagnosis` section of the report (schema version 2): what the host's event logs say about antivirus
/// locks on VM files, and whether the exclusions answer them (docs/diagnosis.md).
package struct DiagnosisReport: Codable, Sendable, Equatable {
    /// One log read (or found unreadable).
    package struct Log: Codable, Sendable, Equatable {
        /// Channel name.
        package var channel: String
        /// Windows path of the `.evtx` file.
        package var path: String
        /// Records read.
        package var records: Int
        /// Records found but not read (each named in a warning).
        package var recordsSkipped: Int = 0

        package init(channel: String, path: String, records: Int, recordsSkipped: Int) {
            self.channel = channel
            self.path = path
            self.records = records
            self.recordsSkipped = recordsSkipped
        }

        /// A report written before `recordsSkipped` existed reads as 0 skipped.
        package init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            channel = try container.decode(String.self, forKey: .channel)
            path = try container.decode(String.self, forKey: .path)
            records = try container.decode(Int.self, forKey: .records)
            recordsSkipped = try container.decodeIfPresent(Int.self, forKey: .recordsSkipped) ?? 0
        }
    }

    /// One Defender event behind a detection finding.
    package struct DetectionEvent: Codable, Sendable, Equatable {
        /// Event id (1116, 1006, 1015, 1117, …).
        package var id: Int
        /// When it was logged, UTC ISO 8601.
        package var time: String
        /// `Action Name`, when the event carries one.
        package var action: String?
    }

    /// One VM file (or VM) hit.
    package struct Finding: Codable, Sendable, Equatable {
        /// VM id (upper case), when the events or the file identify the VM.
        package var vm: String?
        /// VM name.
        package var vmName: String?
        /// Windows path of the held file; null when the events name only the VM.
        package var file: String?
        /// Signatures seen, by name (docs/diagnosis.md).
        package var signatures: [String]
        /// HRESULTs seen, `0x800704C8`.
        package var codes: [String]
        /// First and last event, UTC ISO 8601.
        package var firstTime: String
        package var lastTime: String
        /// Number of events.
        package var count: Int
        /// Whether the planned exclusions cover it.
        package var coveredByPlan: Bool
        /// Whether the host's configured exclusions cover it; null when unknown (no SOFTWARE hive).
        package var coveredByConfigured: Bool?
        /// Planned entries that would cover what the configured exclusions miss.
        package var plannedEntries: [String]
        /// `lock` or `detection` (Defender found malware in the file; never counted as a lock).
        package var kind: String = "lock"
        /// Detections only: the threat name, severity, latest action, the process that opened the file, whether a
        /// quarantine or removal followed (then the plan entry is not held), and the events.
        package var threat: String? = nil
        package var severity: String? = nil
        package var action: String? = nil
        package var process: String? = nil
        package var remediated: Bool? = nil
        package var events: [DetectionEvent]? = nil

        private enum CodingKeys: String, CodingKey {
            case kind, vm, vmName, file, signatures, codes, firstTime, lastTime, count, coveredByPlan,
                coveredByConfigured, plannedEntries
            case threat, severity, action, process, remediated, events
        }

        /// Unknown is written as null, never left out (README, "Output": a fact that could not be read is `null`).
        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(vm, forKey: .vm)
            try container.encode(vmName, forKey: .vmName)
            try container.encode(file, forKey: .file)
            try container.encode(signatures, forKey: .signatures)
            try container.encode(codes, forKey: .codes)
            try container.encode(firstTime, forKey: .firstTime)
            try container.encode(lastTime, forKey: .lastTime)
            try container.encode(count, forKey: .count)
            try container.encode(coveredByPlan, forKey: .coveredByPlan)
            try container.encode(coveredByConfigured, forKey: .coveredByConfigured)
            try container.encode(plannedEntries, forKey: .plannedEntries)
            if kind == "detection" {
                // Unknown facts of a detection are null, as everywhere else; a lock has none of these keys.
                try container.encode(threat, forKey: .threat)
                try container.encode(severity, forKey: .severity)
                try container.encode(action, forKey: .action)
                try container.encode(process, forKey: .process)
                try container.encode(remediated, forKey: .remediated)
                try container.encode(events ?? [], forKey: .events)
            }
        }

        package init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? "lock"
            vm = try container.decodeIfPresent(String.self, forKey: .vm)
            vmName = try container.decodeIfPresent(String.self, forKey: .vmName)
            file = try container.decodeIfPresent(String.self, forKey: .file)
            signatures = try container.decode([String].self, forKey: .signatures)
            codes = try container.decode([String].self, forKey: .codes)
            firstTime = try container.decode(String.self, forKey: .firstTime)
            lastTime = try container.decode(String.self, forKey: .lastTime)
            count = try container.decode(Int.self, forKey: .count)
            coveredByPlan = try container.decode(Bool.self, forKey: .coveredByPlan)
            coveredByConfigured = try container.decodeIfPresent(Bool.self, forKey: .coveredByConfigured)
            plannedEntries = try container.decode([String].self, forKey: .plannedEntries)
            threat = try container.decodeIfPresent(String.self, forKey: .threat)
            severity = try container.decodeIfPresent(String.self, forKey: .severity)
            action = try container.decodeIfPresent(String.self, forKey: .action)
            process = try container.decodeIfPresent(String.self, forKey: .process)
            remediated = try container.decodeIfPresent(Bool.self, forKey: .remediated)
            events = try container.decodeIfPresent([DetectionEvent].self, forKey: .events)
        }

        package init(
            vm: String?, vmName: String?, file: String?, signatures: [String], codes: [String], firstTime: String,
            lastTime: String, count: Int, coveredByPlan: Bool, coveredByConfigured: Bool?, plannedEntries: [String]
        ) {
            self.vm = vm
            self.vmName = vmName
            self.file = file
            self.signatures = signatures
            self.codes = codes
            self.firstTime = firstTime
            self.lastTime = lastTime
            self.count = count
            self.coveredByPlan = coveredByPlan
            self.coveredByConfigured = coveredByConfigured
            self.plannedEntries = plannedEntries
        }
    }

    /// A Defender exclusion change (event 5007).
    package struct ExclusionChange: Codable, Sendable, Equatable {
        package var time: String
        package var oldValue: String
        package var newValue: String
    }

    /// The one-line summary the text output opens with.
    package var summary: String
    /// The logs read.
    package var logs: [Log]
    /// The findings, by VM name then file.
    package var findings: [Finding]
    /// Defender exclusion changes, oldest first.
    package var exclusionChanges: [ExclusionChange]

    /// The report section for a diagnosis.
    package init(_ diagnosis: Diagnosis, logs: [Log]) {
        summary = logs.isEmpty ? "no Hyper-V or Defender event logs found" : diagnosis.summary
        self.logs = logs
        findings = diagnosis.findings.map { finding in
            var record = Finding(
                vm: finding.vm?.description, vmName: finding.vmName, file: finding.file?.description,
                signatures: finding.signatures.map(\.rawValue),
                codes: finding.codes.map { "0x" + String($0, radix: 16, uppercase: true) },
                firstTime: finding.first.description, lastTime: finding.last.description, count: finding.count,
                coveredByPlan: finding.coveredByPlan, coveredByConfigured: finding.coveredByConfigured,
                plannedEntries: finding.plannedEntries.map(\.description))
            record.kind = finding.kind.rawValue
            if let facts = finding.detection {
                record.threat = facts.threat
                record.severity = facts.severity
                record.action = facts.action
                record.process = facts.process
                record.remediated = facts.remediated
                record.events = facts.events.map {
                    DetectionEvent(id: $0.id, time: $0.time.description, action: $0.action)
                }
            }
            return record
        }
        exclusionChanges = diagnosis.exclusionChanges.map {
            ExclusionChange(time: $0.time.description, oldValue: $0.oldValue, newValue: $0.newValue)
        }
    }
}
