import HVXExclusions

/// Writes the plan as a PowerShell script a consultant runs on the production host: it checks the preconditions,
/// adds what is missing through `Add-MpPreference` (each change confirmed, `-WhatIf` honoured), logs every change,
/// records what it added under the plan's identity (so `-Undo` removes exactly that), validates each path with
/// `MpCmdRun.exe -CheckExclusion` and prints a table: planned, added, already present, effective.
///
/// Every value from the plan or the host is a single-quoted literal, where nothing but the quote itself is special,
/// and the script holds no double-quoted (expandable) string at all: messages are built with `-f`. Windows
/// PowerShell 5.1 reads a script without a byte-order mark in the ANSI code page, so ``renderBytes(_:)`` writes
/// UTF-8 with a BOM and CRLF line ends (docs/exclusion-policy.md, "Output formats for the plan").
package enum PowerShellExporter {
    /// The characters PowerShell accepts as a single quote (its tokenizer treats the typographic ones alike).
    package static let singleQuotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// The findings on configured entries that `-RemoveFindings` offers to remove.
    package static let removableFindings: Set<String> = ["stale", "typo", "overBroad", "invalid"]

    /// The script as it is written to disk: UTF-8 with a byte-order mark, CRLF line ends.
    package static func renderBytes(_ report: Report) -> [UInt8] {
        [0xEF, 0xBB, 0xBF] + Array(render(report).replacing("\n", with: "\r\n").utf8)
    }

    /// The script text, with `\n` line ends (``renderBytes(_:)`` gives the bytes to write).
    package static func render(_ report: Report) -> String {
        let plan = report.exclusions
        let identity = PlanIdentity.of(plan)
        var lines: [String] = [
            "# Microsoft Defender exclusions for a Hyper-V host, written by \(report.tool.name) \(report.tool.version).",
            "# Host: \(comment(hostDescription(report)))",
            "# Scanned: \(comment(report.scan.startedAt))"
                + (report.scan.roots.isEmpty
                    ? ""
                    : " (" + comment(report.scan.roots.map { "\($0.drive) = \($0.path)" }.joined(separator: ", ")) + ")"),
            "# Plan: \(identity)",
            "#",
            "# Run it first with -WhatIf: it says what it would change and changes nothing. Each change asks for",
            "# confirmation (ConfirmImpact High); -Confirm:$false answers yes to all.",
            "#   -Undo              removes exactly the exclusions this script added for this plan on this host (recorded",
            "#                      in -RecordPath), nothing else",
            "#   -RemoveFindings    also removes the configured entries the offline audit found stale, mistyped, over-broad",
            "#                      or invalid (listed below with their reasons)",
            "#   -AcceptDetections  also applies entries held because Defender detected malware in a file they cover",
            "#   -LogPath           every change, one line each (time, host, plan, action, type, value, result)",
            "# Before changing anything it stops when: not elevated; Defender not installed or not the active engine;",
            "# local exclusions not merged (DisableLocalAdminMerge = 1); exclusions tamper protected (TPExclusions = 1).",
            "# Entries marked 'not verified' were not found on the scanned volumes: review them before running.",
        ]
        lines += auditNotes(report)
        lines += [
            "",
            "[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]",
            "param(",
            "    [switch]$Undo,",
            "    [switch]$RemoveFindings,",
            "    [switch]$AcceptDetections,",
            "    [string]$LogPath = (Join-Path -Path $env:ProgramData -ChildPath 'hvexclude\\hvexclude.log'),",
            "    [string]$RecordPath = (Join-Path -Path $env:ProgramData -ChildPath 'hvexclude\\added.csv')",
            ")",
            "",
            "$ErrorActionPreference = 'Stop'",
            "$PlanId = \(quote(identity))",
            "",
        ]
        lines += planTable(plan)
        lines += functions
        lines += preconditions
        lines += undoBlock
        lines += applyBlock
        lines += removeFindingsBlock(report)
        lines += validationBlock
        lines += fileServerScripts(report.fileServers)
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the offline audit already knows that decides how the script will go on this host.
    package static func auditNotes(_ report: Report) -> [String] {
        var notes: [String] = []
        if report.host?.defender.localPreferencesIgnored == true {
            notes.append(
                "# The offline audit found DisableLocalAdminMerge = 1: local exclusions do not apply on this host and the"
            )
            notes.append(
                "# script will stop. Apply the plan through Group Policy (--format pol or reg) or Intune (--format intune)."
            )
        }
        if let note = report.audit?.engineNote { notes.append("# Audit: " + comment(note)) }
        let held = report.exclusions.paths.filter { $0.hold != nil }
        if !held.isEmpty {
            notes.append(
                "# \(held.count) entr\(held.count == 1 ? "y is" : "ies are") held by a Defender detection: not applied without -AcceptDetections."
            )
        }
        return notes
    }

    /// The plan as data: one object per entry, every value a single-quoted literal, its reasons as comments above.
    package static func planTable(_ plan: ExclusionPlan) -> [String] {
        var rows: [String] = []
        for entry in plan.paths {
            rows += entry.reasons.map { "    # " + comment($0) }
            if entry.form == .pattern {
                rows.append(
                    "    # pattern: Defender matches the file names in this folder only (a * or ? in the last part)")
            }
            if !entry.verified, let lifecycle = entry.lifecycle {
                rows.append(
                    "    # not there yet: Hyper-V writes it later (\(lifecycle.rawValue)); excluded before it exists")
            } else if !entry.verified {
                rows.append(
                    "    # not verified: \(comment(entry.path)) was not found on the scanned volumes (unmapped drive, or missing); check it on the host"
                )
            }
            var fields = [
                "Type = 'Path'", "Value = \(quote(entry.environmentPath ?? entry.path))", "Also = \(quote(entry.path))",
                "Form = '\(entry.form.rawValue)'", "Verified = $\(entry.verified)",
            ]
            if let hold = entry.hold {
                rows.append(
                    "    # HELD: Defender detected \(comment(hold.threat ?? "malware")) in a file this entry covers")
                fields.append("Threat = \(quote(hold.threat ?? "a detection (no threat name)"))")
            } else {
                fields.append("Threat = $null")
            }
            rows.append("    [pscustomobject]@{ " + fields.joined(separator: "; ") + " }")
        }
        for entry in plan.extensions {
            let bare = DefenderPathPattern.normaliseExtension(entry.extension)
            rows.append("    # " + comment(entry.reason))
            rows.append(
                "    [pscustomobject]@{ Type = 'Extension'; Value = \(quote("." + bare)); Also = \(quote(bare)); Form = 'extension'; Verified = $true; Threat = $null }"
            )
        }
        for entry in plan.processes {
            rows.append("    # " + comment(entry.reason))
            if !entry.verified {
                rows.append("    # not verified: the binary was not found on the scanned volume (named by its service)")
            }
            rows.append(
                "    [pscustomobject]@{ Type = 'Process'; Value = \(quote(entry.path)); Also = \(quote(entry.path)); Form = 'process'; Verified = $\(entry.verified); Threat = $null }"
            )
        }
        let count = plan.paths.count + plan.extensions.count + plan.processes.count
        if rows.isEmpty { return ["# The plan (0 entries)", "$Plan = @()", ""] }
        return ["# The plan (\(count) entries): paths, extensions, processes"] + ["$Plan = @("] + rows + [")", ""]
    }

    /// Helpers: the log, the record of what was added, the comparison with what is configured.
    package static let functions: [String] = [
        "function Write-HvxLog {",
        "    param([string]$Action, [string]$Type, [string]$Value, [string]$Result)",
        "    $folder = Split-Path -Path $LogPath -Parent",
        "    if ($folder -and -not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false | Out-Null }",
        "    $time = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')",
        "    $line = @($time, $env:COMPUTERNAME, $PlanId, $Action, $Type, $Value, $Result) -join [char]9",
        "    Add-Content -LiteralPath $LogPath -Value $line -Encoding UTF8 -WhatIf:$false",
        "}",
        "",
        "function Stop-HvxRun {",
        "    param([string]$Message)",
        "    try { Write-HvxLog -Action 'stop' -Type '' -Value '' -Result $Message } catch { }",
        "    throw ('hvexclude: ' + $Message)",
        "}",
        "",
        "function Get-HvxPolicyValue {",
        "    param([string]$Key, [string]$Name)",
        "    $item = Get-ItemProperty -LiteralPath $Key -Name $Name -ErrorAction SilentlyContinue",
        "    if ($item) { return $item.$Name }",
        "    return $null",
        "}",
        "",
        "function Get-HvxConfigured {",
        "    param([string]$Type)",
        "    $preference = Get-MpPreference",
        "    $values = switch ($Type) {",
        "        'Path' { $preference.ExclusionPath }",
        "        'Extension' { $preference.ExclusionExtension }",
        "        'Process' { $preference.ExclusionProcess }",
        "    }",
        "    return @($values | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\\').TrimStart('*').TrimStart('.') })",
        "}",
        "",
        "function Test-HvxConfigured {",
        "    param($Entry)",
        "    $configured = Get-HvxConfigured -Type $Entry.Type",
        "    foreach ($value in @($Entry.Value, $Entry.Also)) {",
        "        if ($configured -contains $value.TrimEnd('\\').TrimStart('*').TrimStart('.')) { return $true }",
        "    }",
        "    return $false",
        "}",
        "",
        "function Invoke-HvxPreference {",
        "    param([string]$Verb, [string]$Type, [string]$Value)",
        "    $arguments = @{ ('Exclusion' + $Type) = $Value }",
        "    if ($Verb -eq 'Add') { Add-MpPreference @arguments } else { Remove-MpPreference @arguments }",
        "}",
        "",
    ]

    /// Each precondition stops the run with a message saying what to do instead.
    package static let preconditions: [String] = [
        "# Preconditions: nothing is changed unless all of them hold.",
        "$principal = New-Object -TypeName Security.Principal.WindowsPrincipal -ArgumentList ([Security.Principal.WindowsIdentity]::GetCurrent())",
        "if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {",
        "    Stop-HvxRun 'not elevated: run this script from an elevated PowerShell (Run as administrator)'",
        "}",
        "if (-not (Get-Command -Name 'Get-MpPreference' -ErrorAction SilentlyContinue)) {",
        "    Stop-HvxRun 'Microsoft Defender is not installed (no Get-MpPreference): configure these exclusions in the antivirus that scans this host (hvexclude --format csv, or --format list --vendor NAME)'",
        "}",
        "$status = Get-MpComputerStatus -ErrorAction SilentlyContinue",
        "$mode = ''",
        "if ($status) { $mode = [string]$status.AMRunningMode }",
        "if (-not $status -or -not $status.AMServiceEnabled -or $mode -match 'Passive|EDR Block') {",
        "    Stop-HvxRun ('Microsoft Defender is not the active antivirus (AMServiceEnabled = {0}, AMRunningMode = {1}): its exclusions do not protect this host from scanning; configure the engine that scans (hvexclude --format csv, or --format list --vendor NAME)' -f $status.AMServiceEnabled, $mode)",
        "}",
        "$merge = Get-HvxPolicyValue -Key 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender' -Name 'DisableLocalAdminMerge'",
        "$mdmMerge = Get-HvxPolicyValue -Key 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Policy Manager' -Name 'DisableLocalAdminMerge'",
        "if (-not $Undo -and ($merge -eq 1 -or $mdmMerge -eq 1)) {",
        "    Stop-HvxRun 'local exclusions are not merged (DisableLocalAdminMerge = 1): exclusions added here would do nothing; apply the plan through Group Policy (hvexclude --format pol writes a Registry.pol, --format reg a .reg file) or Intune (hvexclude --format intune)'",
        "}",
        "$tamperExclusions = Get-HvxPolicyValue -Key 'HKLM:\\SOFTWARE\\Microsoft\\Windows Defender\\Features' -Name 'TPExclusions'",
        "if ($tamperExclusions -eq 1) {",
        "    Stop-HvxRun 'exclusions are tamper protected on this host (TPExclusions = 1: Intune manages them): local changes are blocked; change them in Intune (hvexclude --format intune)'",
        "}",
        "$managedBy = Get-HvxPolicyValue -Key 'HKLM:\\SOFTWARE\\Microsoft\\Windows Defender' -Name 'ManagedDefenderProductType'",
        "if ($managedBy -eq 6 -or $managedBy -eq 7) {",
        "    Write-Warning ('Defender on this host is managed by Intune (ManagedDefenderProductType = {0}): a later policy may replace local exclusions; prefer hvexclude --format intune' -f $managedBy)",
        "}",
        "",
    ]

    /// `-Undo`: removes exactly what the record says this script added for this plan on this host.
    package static let undoBlock: [String] = [
        "if ($Undo) {",
        "    $records = @()",
        "    if (Test-Path -LiteralPath $RecordPath) { $records = @(Import-Csv -LiteralPath $RecordPath) }",
        "    $mine = @($records | Where-Object { $_.Plan -eq $PlanId -and $_.Computer -eq $env:COMPUTERNAME })",
        "    if ($mine.Count -eq 0) {",
        "        Write-Output ('hvexclude: nothing to undo: {0} records no exclusion added for plan {1} on {2}' -f $RecordPath, $PlanId, $env:COMPUTERNAME)",
        "        return",
        "    }",
        "    $removed = @()",
        "    foreach ($record in $mine) {",
        "        if ($PSCmdlet.ShouldProcess($record.Value, ('Remove-MpPreference -Exclusion{0} (added by plan {1})' -f $record.Type, $PlanId))) {",
        "            try {",
        "                Invoke-HvxPreference -Verb 'Remove' -Type $record.Type -Value $record.Value",
        "                Write-HvxLog -Action 'undo' -Type $record.Type -Value $record.Value -Result 'removed'",
        "                $removed += $record",
        "            } catch {",
        "                Write-HvxLog -Action 'undo' -Type $record.Type -Value $record.Value -Result ('failed: ' + $_.Exception.Message)",
        "                Write-Warning ('could not remove {0}: {1}' -f $record.Value, $_.Exception.Message)",
        "            }",
        "        }",
        "    }",
        "    $kept = @($records | Where-Object { $removed -notcontains $_ })",
        "    if ($kept.Count -gt 0) { $kept | Export-Csv -LiteralPath $RecordPath -NoTypeInformation -Encoding UTF8 -WhatIf:$false }",
        "    elseif ($removed.Count -gt 0) { Remove-Item -LiteralPath $RecordPath -WhatIf:$false }",
        "    Write-Output ('hvexclude: {0} of {1} exclusion(s) this script added for plan {2} removed' -f $removed.Count, $mine.Count, $PlanId)",
        "    return",
        "}",
        "",
    ]

    /// Adds what is missing, never a held entry without `-AcceptDetections`, and records each addition.
    package static let applyBlock: [String] = [
        "# Apply: what is configured already is left alone; what is added is logged and recorded for -Undo.",
        "$results = @()",
        "foreach ($entry in $Plan) {",
        "    $result = 'planned'",
        "    if ($entry.Threat -and -not $AcceptDetections) {",
        "        $result = 'held'",
        "        Write-Warning ('held, not applied: {0}: Defender detected {1} in a file it covers; handle the threat, then run with -AcceptDetections' -f $entry.Value, $entry.Threat)",
        "        Write-HvxLog -Action 'hold' -Type $entry.Type -Value $entry.Value -Result $entry.Threat",
        "    } elseif (Test-HvxConfigured -Entry $entry) {",
        "        $result = 'already present'",
        "    } elseif ($PSCmdlet.ShouldProcess($entry.Value, ('Add-MpPreference -Exclusion{0}' -f $entry.Type))) {",
        "        try {",
        "            Invoke-HvxPreference -Verb 'Add' -Type $entry.Type -Value $entry.Value",
        "            $result = 'added'",
        "            Write-HvxLog -Action 'add' -Type $entry.Type -Value $entry.Value -Result 'added'",
        "            $recordFolder = Split-Path -Path $RecordPath -Parent",
        "            if ($recordFolder -and -not (Test-Path -LiteralPath $recordFolder)) { New-Item -ItemType Directory -Path $recordFolder -Force -WhatIf:$false | Out-Null }",
        "            $time = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')",
        "            [pscustomobject]@{ Plan = $PlanId; Computer = $env:COMPUTERNAME; Type = $entry.Type; Value = $entry.Value; Added = $time } |",
        "                Export-Csv -LiteralPath $RecordPath -Append -NoTypeInformation -Encoding UTF8 -WhatIf:$false",
        "        } catch {",
        "            $result = 'failed'",
        "            Write-HvxLog -Action 'add' -Type $entry.Type -Value $entry.Value -Result ('failed: ' + $_.Exception.Message)",
        "            Write-Warning ('could not add {0}: {1}' -f $entry.Value, $_.Exception.Message)",
        "        }",
        "    } else {",
        "        $result = 'not added (WhatIf or declined)'",
        "    }",
        "    $results += [pscustomobject]@{ Type = $entry.Type; Value = $entry.Value; Form = $entry.Form; Result = $result; Effective = 'not checked' }",
        "}",
        "",
    ]

    /// `-RemoveFindings`: one `Remove-MpPreference` per local entry the audit found wrong, each with its reason;
    /// entries set by Group Policy or MDM are named in comments (they are changed where they are set).
    package static func removeFindingsBlock(_ report: Report) -> [String] {
        guard let audit = report.audit else {
            return ["# -RemoveFindings: no audit (the SOFTWARE hive was not read), so there is nothing to remove.", ""]
        }
        let wrong = audit.configured.filter { !Set($0.findings).isDisjoint(with: removableFindings) }
        let local = wrong.filter { $0.origin == .preference }
        var lines = [
            "# Findings of the offline audit on configured entries (\(wrong.count)); removed only with -RemoveFindings."
        ]
        for entry in wrong where entry.origin != .preference {
            lines.append(
                "# \(entry.findings.joined(separator: ", ")) (set by \(entry.origin == .policy ? "Group Policy" : "MDM"): change it there): \(comment(entry.value))"
            )
        }
        lines.append("if ($RemoveFindings) {")
        if local.isEmpty { lines.append("    Write-Output 'hvexclude: no local entry to remove'") }
        for entry in local {
            let type = entry.type == .path ? "Path" : entry.type == .extension ? "Extension" : "Process"
            let findings = entry.findings.filter(removableFindings.contains).joined(separator: ", ")
            for message in entry.messages { lines.append("    # \(findings): " + comment(message)) }
            let what = quote("Remove-MpPreference -Exclusion\(type) (\(findings))")
            lines.append("    if ($PSCmdlet.ShouldProcess(\(quote(entry.value)), \(what))) {")
            lines.append(
                "        try { Remove-MpPreference -Exclusion\(type) \(quote(entry.value)); Write-HvxLog -Action 'remove' -Type '\(type)' -Value \(quote(entry.value)) -Result \(quote("removed: " + findings)) }"
            )
            lines.append(
                "        catch { Write-HvxLog -Action 'remove' -Type '\(type)' -Value \(quote(entry.value)) -Result ('failed: ' + $_.Exception.Message); Write-Warning $_.Exception.Message }"
            )
            lines.append("    }")
        }
        lines += ["}", ""]
        return lines
    }

    /// Checks each added or present path with `MpCmdRun.exe -CheckExclusion -path` (platform 4.18.2111 and later,
    /// in the newest folder under `%ProgramData%\Microsoft\Windows Defender\Platform`), then prints the table.
    package static let validationBlock: [String] = [
        "# Validation: MpCmdRun.exe -CheckExclusion -path (Defender platform 4.18.2111 and later).",
        "$mpCmdRun = $null",
        "$platform = Join-Path -Path $env:ProgramData -ChildPath 'Microsoft\\Windows Defender\\Platform'",
        "if (Test-Path -LiteralPath $platform) {",
        "    $newest = Get-ChildItem -LiteralPath $platform -Directory |",
        "        Where-Object { $_.Name -match '^[0-9]+(\\.[0-9]+){3}' } |",
        "        Sort-Object -Property { [version]($_.Name -replace '-.*$', '') } -Descending |",
        "        Select-Object -First 1",
        "    if ($newest -and [version]($newest.Name -replace '-.*$', '') -ge [version]'4.18.2111.0') {",
        "        $candidate = Join-Path -Path $newest.FullName -ChildPath 'MpCmdRun.exe'",
        "        if (Test-Path -LiteralPath $candidate) { $mpCmdRun = $candidate }",
        "    }",
        "}",
        "if (-not $mpCmdRun) { Write-Warning 'MpCmdRun.exe -CheckExclusion needs Defender platform 4.18.2111 or later: the exclusions were not validated' }",
        "foreach ($row in $results) {",
        "    if (-not $mpCmdRun) { continue }",
        "    if ($row.Type -ne 'Path' -or $row.Form -eq 'pattern') { $row.Effective = 'n/a'; continue }",
        "    if ($row.Result -ne 'added' -and $row.Result -ne 'already present') { continue }",
        "    $expanded = [Environment]::ExpandEnvironmentVariables($row.Value)",
        "    $output = (& $mpCmdRun -CheckExclusion -path $expanded 2>&1 | Out-String)",
        "    if ($output -match 'is not excluded') { $row.Effective = 'no' }",
        "    elseif ($output -match 'is excluded') { $row.Effective = 'yes' }",
        "    else { $row.Effective = 'unknown' }",
        "}",
        "$results | Format-Table -AutoSize -Property @('Type', 'Value', 'Result', 'Effective') | Out-String -Width 4096 | Write-Output",
        "$added = @($results | Where-Object { $_.Result -eq 'added' }).Count",
        "$present = @($results | Where-Object { $_.Result -eq 'already present' }).Count",
        "$effective = @($results | Where-Object { $_.Effective -eq 'yes' }).Count",
        "Write-Output ('hvexclude: planned {0}, added {1}, already present {2}, effective {3}; log: {4}' -f $results.Count, $added, $present, $effective, $LogPath)",
    ]

    /// A separate script for each SMB file server: KB 3105657 asks for these exclusions on the server, so they
    /// are a function this script defines but never calls on the host; run it there, e.g. with
    /// `Invoke-Command -ComputerName <server> -ScriptBlock ${function:…}`. Each share's local folder is looked up
    /// on the server with `Get-SmbShare`, which this host cannot know.
    package static func fileServerScripts(_ servers: [FileServerPlan]) -> [String] {
        var lines: [String] = []
        for (index, server) in servers.enumerated() {
            let function = "Add-HvxFileServerExclusions\(index + 1)"
            lines += [
                "", "# ---- File server \(comment(server.server)): run there, not on this host ----",
                "# Invoke-Command -ComputerName \(quote(server.server)) -ScriptBlock ${function:\(function)}",
                "function \(function) {",
                "    $ErrorActionPreference = 'Stop'",
                "    $existingPaths = @((Get-MpPreference).ExclusionPath | Where-Object { $_ } | ForEach-Object { $_.TrimEnd('\\') })",
                "    $added = 0",
            ]
            for share in server.shares {
                lines.append("    $root = (Get-SmbShare -Name \(quote(share.name))).Path")
                for entry in share.paths {
                    for reason in entry.reasons { lines.append("    # " + comment(reason)) }
                    let target =
                        entry.relativePath.isEmpty
                        ? "$root" : "(Join-Path -Path $root -ChildPath \(quote(entry.relativePath)))"
                    lines.append("    $path = \(target).TrimEnd('\\')")
                    lines.append(
                        "    if ($existingPaths -notcontains $path) { Add-MpPreference -ExclusionPath $path; $added++ }"
                    )
                }
            }
            lines += [
                "    Write-Output ('hvexclude: {0} Defender exclusion(s) added on {1}' -f $added, $env:COMPUTERNAME)",
                "}",
            ]
        }
        return lines
    }

    /// `text` as a PowerShell single-quoted string literal: every single-quote character doubled, nothing else
    /// touched (`$`, backticks and double quotes are literal there).
    package static func quote(_ text: String) -> String {
        var out = "'"
        for character in oneLine(text) {
            out.append(character)
            if singleQuotes.contains(character) { out.append(character) }
        }
        return out + "'"
    }

    /// The note above a held entry: `# held: malware detected in D:\Db01.vhdx (Trojan:Win32/Wacatac.B!ml, event 1116
    /// on 2024-05-04T02:00:00Z): investigate before excluding`.
    package static func holdNote(_ hold: EntryHold) -> String {
        let files = hold.events.reduce(into: [String]()) { if !$0.contains($1.file) { $0.append($1.file) } }
        let last = hold.events.last.map { ", event \($0.id) on \($0.time.prefix(19))Z" } ?? ""
        return "# held: malware detected in \(files.joined(separator: ", "))"
            + " (\(hold.threat ?? "threat not named")\(last)): investigate before excluding"
    }

    /// A value never spans lines: a line break inside a literal would survive, but one in a comment would end it.
    package static func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }

    /// One line of comment text: line breaks would end the comment and start code.
    package static func comment(_ text: String) -> String { oneLine(text) }

    /// "Windows Server 2019 Datacenter, build 17763" or what is known.
    package static func hostDescription(_ report: Report) -> String {
        guard let windows = report.host?.windows else { return "unknown (no SOFTWARE hive was read)" }
        var parts: [String] = [windows.productName?.value ?? "Windows"]
        if let build = windows.build { parts.append("build \(build)") }
        return parts.joined(separator: ", ")
    }
}
