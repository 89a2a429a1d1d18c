import HVXReport

/// The help texts: `--help` (the usage, the options of `scan` and `audit` from ``CommandLineOption/table``, the exit
/// codes) and each command's `COMMAND --help`.
extension HVExcludeCommand {
    /// `hvexclude COMMAND --help`: that command's usage and options.
    public static func help(for command: CommandLineOptions.Command) -> String {
        switch command {
        case .scan, .audit:
            let what =
                command == .scan
                ? "the exclusions this host needs, derived from its volumes"
                : "the exclusions this host needs, compared with its Defender configuration (exit 3 when some are missing)"
            return """
                Usage: hvexclude \(command.rawValue) ROOT [options]

                \(what).
                ROOT is the host's C: volume, mounted or copied (it must hold Windows\\System32\\config or
                ProgramData\\Microsoft\\Windows\\Hyper-V), or a disk image, block device, VHD or VHDX of the
                host's disk, read natively without root (--mount reads it through ntfs-3g instead).

                """ + "\n" + optionsHelp + "\n" + exitCodesHelp
        case .hive:
            return """
                Usage: hvexclude hive FILE [KEYPATH]

                Lists a registry hive key's subkeys and values, like reg query (the root key without KEYPATH).
                KEYPATH may be written as Windows shows it: HKLM\\SOFTWARE\\..., HKEY_LOCAL_MACHINE\\SYSTEM\\...,
                and CurrentControlSet (resolved through Select\\Current). Control characters, trailing spaces
                and ambiguous backslashes are escaped. MountedDevices values are decoded (GPT partition GUID,
                or MBR disk signature and partition offset). A dirty hive's .LOG1/.LOG2/.LOG are replayed in
                memory first (nothing is written); a note on stderr says what was applied.
                Options: --quiet, -q (no warnings on stderr); --strict (a hive warning makes the exit code 1);
                --no-replay (read the file as it is); --json (the key as JSON, names and data exact);
                --recursive (every key from KEYPATH down as JSON lines: one key per line with its values,
                {"path":…,"values":[{"data":…,"name":…,"type":…}]}; damage on the way is a warning, the walk goes on).

                """
        case .vmcx:
            return """
                Usage: hvexclude vmcx FILE

                Dumps a VMCX (Hyper-V 2016+) or XML (2008–2012 R2) configuration's key tree as JSON.

                """
        case .events:
            return """
                Usage: hvexclude events FILE [--id N…] [--since T]

                Prints an .evtx event log's records as JSON Lines (one object per record: provider, eventId, level,
                time, recordId, computer, channel, data). A damaged chunk or record is a warning; the rest is read.
                Options: --id N… (--id 4624 4625, --id 4624,4625 or repeated: only these event ids); --since T
                (UTC, 2024-05-01 or 2024-05-01T12:00:00Z: only records at or after T); --quiet, -q (no warnings on
                stderr); --strict (a warning makes the exit code 1).
                Exit codes: 0 every record read; 1 some records were skipped (each named on stderr, with the count);
                2 nothing could be read (not an event log, a folder, unreadable); 64 usage error.

                """
        case .merge:
            return """
                Usage: hvexclude merge REPORT.json… [--format json|text|powershell|pol|intune|reg|csv|list] [-o FILE]

                One policy for a failover cluster: the union of the plans in the nodes' JSON reports (each node
                scanned offline with hvexclude scan … --format json). Paths on shared storage (C:\\ClusterStorage,
                SMB shares) apply to every node, paths on a node's local drives to that node (each entry says which);
                every entry once; a conflict section where the nodes disagree (VM configurations, releases,
                processes, a path that is a folder on one node and a file on another, Defender channels). A node is
                named by SYSTEM's ComputerName, else by its report's file name. --format powershell writes one script
                to run on every node; --format pol, intune, reg, csv or list writes what every node shares (for one Group
                Policy or Intune policy) and names each entry left out. Reports of different schema versions, or the same
                node twice, are refused.
                Exit codes: 0 merged; 1 merged, but an entry is held by a malware detection; 2 a report cannot be
                read or merged; 64 usage.

                """
        case .diff:
            return """
                Usage: hvexclude diff OLD.json NEW.json [--format json|text] [-o FILE]

                What changed between two scans of a host: VMs added, removed or moved, checkpoints, disk chains,
                plan entries added or removed (with why), audit statuses, new event-log findings. Scan times are
                ignored. Exit codes: 0 the exclusions need no change; 3 they must change; 2 a report cannot be read;
                64 usage.

                """
        case .help, .version:
            return usage
        }
    }

    /// `hvexclude --help`.
    public static let usage = """
        hvexclude \(ToolInfo.currentVersion) — exact antivirus exclusions for a Hyper-V host, derived offline from its volumes

        Usage:
          hvexclude scan ROOT [options]     scan the host's C: volume mounted or copied at ROOT, or a disk image,
                                            block device, VHD or VHDX read natively (no root needed)
          hvexclude audit ROOT [options]    scan, then compare with the host's Defender exclusions
          hvexclude hive FILE [KEYPATH]     list a registry hive key's subkeys and values (a dirty hive's
                                            .LOG1/.LOG2 are replayed in memory first; --no-replay reads
                                            the file as it is; --json prints JSON; --recursive every key
                                            below as JSON lines, one key with its values per line)
          hvexclude vmcx FILE               dump a VMCX/XML configuration's key tree as JSON
          hvexclude events FILE [--id N…] [--since T]
                                            an .evtx event log's records, one JSON object per line
          hvexclude merge REPORT.json…     one policy for a cluster's nodes (json, text, powershell)
          hvexclude diff OLD.json NEW.json  what changed between two scans; exit 3 when the exclusions must change
          hvexclude --help | --version

        Run 'hvexclude scan --help' for the options of scan and audit.

        """ + "\n" + optionsHelp + "\n" + exitCodesHelp

    /// The options of `scan` and `audit`, from the one table of options.
    static let optionsHelp = CommandLineOption.helpText

    static let exitCodesHelp = """
        Exit codes:
          0   success
          1   finished, but some inputs could not be read or parsed (listed in the report); with --strict, any warning
          2   could not scan at all (root unreadable or not a Windows system volume, output not writable)
          3   action needed: audit: required exclusions are missing from the host's Defender configuration;
              scan/audit: a planned entry covers a file with a Defender malware detection (--accept-detections)
              events: 1 = some records were skipped (named on stderr); 2 = the file yields no record (not an event
              log, a folder, unreadable)
          64  usage error
        Precedence: 64, then 2, then 3, then 1, then 0.

        """
}
