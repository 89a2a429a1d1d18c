import Testing

@testable import HVXBinary
@testable import HVXDiagnosis
@testable import HVXDiskImage
@testable import HVXExclusions
@testable import HVXFormats
@testable import HVXInventory
@testable import HVXReport
@testable import HVXScan
@testable import HVXVolume
@testable import HVXWalk

/// Defender's documented path matching (``DefenderPathPattern``), row by row from Microsoft's wildcard table
/// ("Use wildcards in the file name and folder path or extension exclusion lists", MicrosoftDocs/defender-docs
/// `configure-extension-file-exclusions-microsoft-defender-antivirus.md`), and the limits it states.
@Suite struct DefenderPathPatternTests {
    static func pattern(_ text: String) throws -> DefenderPathPattern {
        try #require(DefenderPathPattern(text, environment: .defaults), "\(text) parses")
    }

    static func path(_ text: String) throws -> WindowsPath { try #require(WindowsPath(text)) }

    /// Every example of the table: (entry, a path it includes, a path it must not include).
    @Test(
        "every example row of Microsoft's wildcard table",
        arguments: [
            // `*` in a file name: files in the last folder only.
            (#"C:\MyData\*.txt"#, #"C:\MyData\notes.txt"#, #"C:\MyData\Old\notes.txt"#),
            // `*` in a folder: exactly one folder, then every subfolder.
            (#"C:\somepath\*\Data"#, #"C:\somepath\Archives\Data\file.bin"#, #"C:\somepath\Data\file.bin"#),
            (
                #"C:\somepath\*\Data"#, #"C:\somepath\Authorized\Data\sub\deeper\file.bin"#,
                #"C:\somepath\a\b\Data\file.bin"#
            ),
            (#"C:\Serv\*\*\Backup"#, #"C:\Serv\Primary\Denied\Backup\file.bak"#, #"C:\Serv\Primary\Backup\file.bak"#),
            (
                #"C:\Serv\*\*\Backup"#, #"C:\Serv\Secondary\Allowed\Backup\sub\file.bak"#,
                #"C:\Serv\Secondary\Allowed\Other\file.bak"#
            ),
            // `?` in a file name: one character, files in the last folder only.
            (#"C:\MyData\my?.zip"#, #"C:\MyData\my1.zip"#, #"C:\MyData\my12.zip"#),
            // `?` in a folder: one character of that folder's name, then every subfolder.
            (#"C:\somepath\?\Data"#, #"C:\somepath\P\Data\file.bin"#, #"C:\somepath\PP\Data\file.bin"#),
            (#"C:\somepath\test0?\Data"#, #"C:\somepath\test01\Data\file.bin"#, #"C:\somepath\test1\Data\file.bin"#),
            // Environment variables.
            (
                #"%ALLUSERSPROFILE%\CustomLogFiles"#, #"C:\ProgramData\CustomLogFiles\Folder1\file1.txt"#,
                #"C:\ProgramData\Other\file1.txt"#
            ),
            // Mix and match.
            (
                #"%PROGRAMFILES%\Contoso*\v?\bin\contoso.exe"#, #"c:\Program Files\Contoso Labs\v1\bin\contoso.exe"#,
                #"c:\Program Files\Contoso Labs\v10\bin\contoso.exe"#
            ),
            // A folder argument mixed with a file argument stops at the file match in the matched folder.
            (#"c:\data\*\marked\date*"#, #"c:\data\final\marked\date1.txt"#, #"c:\data\final\marked\sub\date1.txt"#),
            (#"c:\data\*\marked\date*"#, #"c:\data\review\marked\date"#, #"c:\data\review\other\date1.txt"#),
        ])
    func microsoftTable(entry: String, included: String, excluded: String) throws {
        let pattern = try Self.pattern(entry)
        #expect(pattern.covers(try Self.path(included)), "\(entry) includes \(included)")
        #expect(!pattern.covers(try Self.path(excluded)), "\(entry) does not include \(excluded)")
    }

    @Test("a plain path is a folder and everything below it, or one file; case-insensitive")
    func plainPath() throws {
        let folder = try Self.pattern(#"D:\VMs"#)
        #expect(folder.covers(try Self.path(#"d:\vms\App01\Virtual Hard Disks\App01.vhdx"#)))
        #expect(folder.covers(try Self.path(#"D:\VMs"#)))
        #expect(!folder.covers(try Self.path(#"D:\VMs2\x.vhdx"#)))
        #expect(!folder.covers(try Self.path(#"E:\VMs\x.vhdx"#)))
        #expect(!folder.isFileNamePattern && !folder.hasWildcard)
    }

    @Test("at most six wildcards: an entry with seven matches nothing; the drive letter is never a wildcard")
    func limits() throws {
        let six = try Self.pattern(#"D:\??????.vhdx"#)
        #expect(six.wildcardCount == 6 && six.isWithinWildcardLimit)
        #expect(six.covers(try Self.path(#"D:\abcdef.vhdx"#)))
        let seven = try Self.pattern(#"D:\???????.vhdx"#)
        #expect(seven.wildcardCount == 7 && !seven.isWithinWildcardLimit)
        #expect(!seven.covers(try Self.path(#"D:\abcdefg.vhdx"#)))
        #expect(DefenderPathPattern(#"*:\VMs"#, environment: .defaults) == nil)
        #expect(DefenderPathPattern(#"?:\VMs\x.vhdx"#, environment: .defaults) == nil)
        #expect(DefenderPathPattern(#"%NoSuchVariable%\VMs"#, environment: .defaults) == nil)
    }

    @Test("the plan's typed patterns match Hyper-V's names in their folder only")
    func typedPatterns() throws {
        let checkpoint = try Self.pattern(#"D:\Db01_*.avhdx"#)
        #expect(checkpoint.covers(try Self.path(#"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D01.avhdx"#)))
        #expect(
            !checkpoint.covers(try Self.path(#"D:\Db01_5A1D0C1E-7E2B-4C3A-9D4E-0F1A2B3C4D01.avhdx.rct"#)),
            "X_*.avhdx is not X_<GUID>.avhdx.rct")
        #expect(!checkpoint.covers(try Self.path(#"D:\Sub\Db01_x.avhdx"#)))
        #expect(!checkpoint.covers(try Self.path(#"D:\Db02_x.avhdx"#)))
        #expect(checkpoint.isFileNamePattern && !checkpoint.hasFolderWildcard)
        #expect(checkpoint.folder == WindowsPath(#"D:\"#))
    }

    @Test("one entry covers another when everything the other excludes it excludes too")
    func containment() throws {
        let planned = try Self.pattern(#"D:\Db01_*.avhdx"#)
        #expect(try Self.pattern(#"D:\"#).covers(planned))
        #expect(try Self.pattern(#"D:\*.avhdx"#).covers(planned))
        #expect(try Self.pattern(#"D:\Db01*"#).covers(planned))
        #expect(try Self.pattern(#"D:\Db01_*.avhdx"#).covers(planned))
        #expect(try !Self.pattern(#"D:\Db01_?.avhdx"#).covers(planned), "? is one character, * any run")
        #expect(try !Self.pattern(#"D:\Db01.vhdx"#).covers(planned))
        #expect(try !Self.pattern(#"D:\Db01_*.vhdx"#).covers(planned))
        #expect(try !Self.pattern(#"D:\Sub\*.avhdx"#).covers(planned))
        // A folder wildcard covers the typed patterns below the folders it stands for.
        #expect(
            try Self.pattern(#"D:\VMs\*\Virtual Hard Disks"#).covers(
                Self.pattern(#"D:\VMs\App01\Virtual Hard Disks\App01_*.avhdx"#)))
        #expect(
            try !Self.pattern(#"D:\VMs\*.avhdx"#).covers(Self.pattern(#"D:\VMs\App01\App01_*.avhdx"#)),
            "a file-name pattern does not reach subfolders")
    }

    @Test(
        "glob containment of one name pattern in another",
        arguments: [
            ("*", "a*b", true), ("a*", "a?b*", true), ("a?b", "a?b", true), ("a?b", "a*b", false),
            ("*.vhdx", "x_*.vhdx", true),
            ("x_*.vhdx", "*.vhdx", false), ("X_*", "x_abc", true), ("abc", "abc", true), ("abc", "ab", false),
        ])
    func nameContainment(outer: String, inner: String, expected: Bool) {
        #expect(DefenderPathPattern.contains(outer, inner) == expected)
    }
}
