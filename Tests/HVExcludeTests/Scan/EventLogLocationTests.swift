import Foundation
import Testing

@testable import HVXDiagnosis
@testable import HVXScan
@testable import HVXVolume

/// The scan reads each event log where the host's registry puts it (SOFTWARE WINEVT\Channels, SYSTEM
/// Services\EventLog, `File` values with %SystemRoot% expanded through the drive map), not only in the default
/// folder; a configured file that is missing is a warning with its path and reason. Hives written by
/// scripts/make-hives (hivexsh), logs copied from the sample host ws2019-custom.
@Suite struct EventLogLocationTests {
    static let logs = Fixtures.projectRoot.appendingPathComponent(
        "TestTrees/ws2019-custom/C/Windows/System32/winevt/Logs"
    ).path

    static let script = """
        import importlib.machinery, importlib.util, json, sys
        loader = importlib.machinery.SourceFileLoader("make_hives", sys.argv[1])
        spec = importlib.util.spec_from_loader("make_hives", loader)
        mh = importlib.util.module_from_spec(spec)
        loader.exec_module(mh)
        software, system = json.loads(sys.argv[3]), json.loads(sys.argv[4])
        tree = mh.software_tree("2019")
        for channel, path in software.items():
            tree["Microsoft\\\\Windows\\\\CurrentVersion\\\\WINEVT\\\\Channels\\\\" + channel] = {"File": mh.expand_sz(path)}
        tree["Microsoft\\\\Windows\\\\CurrentVersion\\\\WINEVT\\\\Channels\\\\Microsoft-Windows-Hyper-V-Compute-Admin"] = {"Enabled": mh.dword(1)}
        mh.write_hive(sys.argv[2] + "/SOFTWARE", tree)
        tree = mh.system_tree("2019")
        for channel, path in system.items():
            tree["ControlSet001\\\\Services\\\\EventLog\\\\" + channel] = {"File": mh.expand_sz(path)}
        mh.write_hive(sys.argv[2] + "/SYSTEM", tree)
        """

    /// A C: volume (and a D:) with hives naming `software` and `system` log files; `place` copies sample logs
    /// (by channel file name) to volume-relative paths.
    static func scan(software: [String: String], system: [String: String], place: [String: String]) throws -> ScanResult
    {
        let volume = try TemporaryDirectory()
        let c = volume.path + "/C"
        let d = volume.path + "/D"
        let config = c + "/Windows/System32/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        func json(_ value: [String: String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
        }
        let result = try runProcess(
            "python3",
            [
                "-c", script, Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path, config,
                try json(software), try json(system),
            ])
        try #require(result.status == 0, "make-hives: \(result.stderr)")
        for (name, target) in place {
            let destination = volume.path + "/" + target
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: logs + "/" + name, toPath: destination)
        }
        return try withExtendedLifetime(volume) {
            try HostScanner(
                options: ScanOptions(mappings: [
                    .init(prefix: WindowsPath("C:\\")!, hostRoot: c), .init(prefix: WindowsPath("D:\\")!, hostRoot: d),
                ])
            ).run()
        }
    }

    static let worker = "Microsoft-Windows-Hyper-V-Worker-Admin"
    static let vmms = "Microsoft-Windows-Hyper-V-VMMS-Admin"
    static let config = "Microsoft-Windows-Hyper-V-Config-Admin"
    static let defender = "Microsoft-Windows-Windows Defender/Operational"

    @Test(.requires(Requirement.makeHives))
    func logsAreReadWhereTheRegistryPutsThem() throws {
        let result = try Self.scan(
            software: [Self.worker: "%SystemRoot%\\Logs\\HyperV\\Worker.evtx"],
            // SOFTWARE's channel configuration comes first: SYSTEM's other Worker file is not looked for.
            system: [Self.vmms: "D:\\EventLogs\\VMMS.evtx", Self.worker: "D:\\Other\\Worker.evtx"],
            place: [
                Self.worker + ".evtx": "C/Windows/Logs/HyperV/Worker.evtx",
                Self.vmms + ".evtx": "D/EventLogs/VMMS.evtx",
                // A stale copy in the default folder is not read when the configured file exists.
                Self.config + ".evtx": "C/Windows/System32/winevt/Logs/" + Self.worker + ".evtx",
            ])
        let read = Dictionary(uniqueKeysWithValues: result.eventLogs.map { ($0.channel, $0) })
        #expect(read[Self.worker]?.path.description == "C:\\Windows\\Logs\\HyperV\\Worker.evtx")
        #expect(read[Self.worker]?.records == 42)
        #expect(read[Self.vmms]?.path.description == "D:\\EventLogs\\VMMS.evtx")
        #expect(read.count == 2)
        #expect(result.findings.filter { $0.category == .eventLog }.isEmpty)
        // Their events reach the engine: the Worker log's failures are counted.
        #expect(result.diagnosis.eventsRead > 0)
    }

    @Test(.requires(Requirement.makeHives))
    func aConfiguredFileThatIsMissingIsAWarningWithPathAndReason() throws {
        let result = try Self.scan(
            software: [
                Self.defender: "%SystemRoot%\\Missing\\Defender.evtx",
                Self.config: "E:\\Logs\\Config.evtx",
                Self.worker: "%LogRoot%\\Worker.evtx",
            ],
            system: [Self.vmms: "D:\\EventLogs"],
            place: [
                // The default file is read when the configured one cannot be.
                Self.config + ".evtx": "C/Windows/System32/winevt/Logs/" + Self.config + ".evtx",
                Self.worker + ".evtx": "D/EventLogs/Worker.evtx",
            ])
        let warnings = result.findings.filter { $0.category == .eventLog }
        let byPath = Dictionary(grouping: warnings, by: \.path)
        let defender = try #require(byPath["C:\\Windows\\Missing\\Defender.evtx"]?.first)
        #expect(defender.severity == .warning)
        #expect(defender.message.contains("does not exist"))
        #expect(defender.message.contains("WINEVT\\Channels\\" + Self.defender + "\\File"))
        #expect(byPath["E:\\Logs\\Config.evtx"]?.first?.message.contains("drive is not mapped") == true)
        #expect(byPath["%LogRoot%\\Worker.evtx"]?.first?.message.contains("variable") == true)
        let folder = try #require(byPath["D:\\EventLogs"]?.first)
        #expect(folder.message.contains("directory, not a file"))
        #expect(folder.message.contains("SYSTEM ControlSet001\\Services\\EventLog\\" + Self.vmms + "\\File"))
        #expect(warnings.count == 4)
        #expect(
            result.eventLogs.map(\.path.description) == [
                "C:\\Windows\\System32\\winevt\\Logs\\" + Self.config + ".evtx"
            ])
    }
}
