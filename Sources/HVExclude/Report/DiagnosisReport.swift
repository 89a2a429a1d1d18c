import HVXDiagnosis
import HVXInventory

/// The `diagnosis` section of the report (schema version 2): what the host's event logs say about antivirus
/// locks on VM files, and whether the exclusions answer them (docs/diagnosis.md).
public struct DiagnosisReport: Codable, Sendable, Equatable {
    /// One log read (or found unreadable).
    public struct Log: Codable, Sendable, Equatable {
        /// Channel name.
        public var channel: String
        /// Windows path of the `.evtx` file.
        public var path: String
        /// Records read.
        public var records: Int
    }

    /// One VM file (or VM) hit.
    public struct Finding: Codable, Sendable, Equatable {
        /// VM id (upper case), when the events or the file identify the VM.
        public var vm: String?
        /// VM name.
        public var vmName: String?
        /// Windows path of the held file; null when the events name only the VM.
        public var file: String?
        /// Signatures seen, by name (docs/diagnosis.md).
        public var signatures: [String]
        /// HRESULTs seen, `0x800704C8`.
        public var codes: [String]
        /// First and last event, UTC ISO 8601.
        public var firstTime: String
        public var lastTime: String
        /// Number of events.
        public var count: Int
        /// Whether the planned exclusions cover it.
        public var coveredByPlan: Bool
        /// Whether the host's configured exclusions cover it; null when unknown (no SOFTWARE hive).
        public var coveredByConfigured: Bool?
        /// Planned entries that would cover what the configured exclusions miss.
        public var plannedEntries: [String]

        private enum CodingKeys: String, CodingKey {
            case vm, vmName, file, signatures, codes, firstTime, lastTime, count, coveredByPlan, coveredByConfigured, plannedEntries
        }

        /// Unknown is written as null, never left out (README, "Output": a fact that could not be read is `null`).
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
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
        }
    }

    /// A Defender exclusion change (event 5007).
    public struct ExclusionChange: Codable, Sendable, Equatable {
        public var time: String
        public var oldValue: String
        public var newValue: String
    }

    /// The one-line summary the text output opens with.
    public var summary: String
    /// The logs read.
    public var logs: [Log]
    /// The findings, by VM name then file.
    public var findings: [Finding]
    /// Defender exclusion changes, oldest first.
    public var exclusionChanges: [ExclusionChange]

    /// The report section for a diagnosis.
    init(_ diagnosis: Diagnosis, logs: [Log]) {
        summary = logs.isEmpty ? "no Hyper-V or Defender event logs found" : diagnosis.summary
        self.logs = logs
        findings = diagnosis.findings.map { finding in
            Finding(
                vm: finding.vm?.description, vmName: finding.vmName, file: finding.file?.description,
                signatures: finding.signatures.map(\.rawValue), codes: finding.codes.map { "0x" + String($0, radix: 16, uppercase: true) },
                firstTime: finding.first.description, lastTime: finding.last.description, count: finding.count,
                coveredByPlan: finding.coveredByPlan, coveredByConfigured: finding.coveredByConfigured,
                plannedEntries: finding.plannedEntries.map(\.description))
        }
        exclusionChanges = diagnosis.exclusionChanges.map {
            ExclusionChange(time: $0.time.description, oldValue: $0.oldValue, newValue: $0.newValue)
        }
    }
}
