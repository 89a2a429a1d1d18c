import Testing

@testable import HVXVolume

@Suite struct WindowsPathTests {
    @Test(arguments: [
        ("C:\\VMs\\a.vhdx", "C:\\VMs\\a.vhdx"),
        ("c:/VMs//a.vhdx", "C:\\VMs\\a.vhdx"),
        ("C:\\VMs\\", "C:\\VMs"),
        ("C:", "C:\\"),
        ("\\\\?\\D:\\Hyper-V\\x", "D:\\Hyper-V\\x"),
        ("\\??\\D:\\VMs\\x.xml", "D:\\VMs\\x.xml"),
        (
            "\\\\?\\Volume{0EBA351E-5634-46D6-A8CF-4DDC2D6AC0B9}\\Users\\Public",
            "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\Users\\Public"
        ),
        ("\\\\server\\share\\VMs", "\\\\server\\share\\VMs"),
        ("\\\\?\\UNC\\server\\share\\VMs", "\\\\server\\share\\VMs"),
        ("C:\\a\\.\\b\\..\\c", "C:\\a\\c"),
        ("C:\\a. \\b", "C:\\a\\b"),
    ])
    func parsesAndNormalises(input: String, expected: String) throws {
        let path = try #require(WindowsPath(input))
        #expect(path.description == expected)
    }

    @Test(arguments: [
        "relative\\x", "C:relative", "C:\\..\\x", "%SystemRoot%\\x", "\\\\server", "", "\\\\?\\Volume{nope}\\x",
    ])
    func rejects(input: String) {
        #expect(WindowsPath(input) == nil)
    }

    @Test func comparisonIsCaseInsensitiveAndKeepsSpelling() throws {
        let a = try #require(WindowsPath("C:\\Users\\Public\\Documents\\Hyper-V\\Virtual hard disks"))
        let b = try #require(WindowsPath("c:\\users\\public\\documents\\hyper-v\\Virtual Hard Disks\\"))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.description.hasSuffix("Virtual hard disks"))
        let child = try #require(b.appending("x.vhdx"))
        #expect(a.isAncestor(of: child))
        #expect(!a.isAncestor(of: a))
        #expect(a.contains(a))
        #expect(!(try #require(WindowsPath("D:\\Users"))).isAncestor(of: child))
    }

    @Test func appendingRelativeForms() throws {
        let folder = try #require(WindowsPath("C:\\VMs\\Disks"))
        #expect(folder.appending(".\\a.avhdx")?.description == "C:\\VMs\\Disks\\a.avhdx")
        #expect(folder.appending("..\\Other\\b.vhdx")?.description == "C:\\VMs\\Other\\b.vhdx")
        #expect(folder.appending("..\\..\\..\\x") == nil)
    }

    @Test func environmentExpansionAndForms() throws {
        var environment = WindowsEnvironment.defaults
        environment.set("ProgramData", "D:\\PD")
        #expect(
            environment.expand("%programdata%\\Microsoft\\Windows\\Hyper-V") == "D:\\PD\\Microsoft\\Windows\\Hyper-V")
        #expect(environment.expand("%SystemDrive%\\VMs") == "C:\\VMs")
        #expect(environment.expand("%Unknown%\\x") == "%Unknown%\\x")
        #expect(environment.expand("100% sure") == "100% sure")
        let path = try #require(environment.path("%SystemRoot%\\System32\\vmms.exe"))
        #expect(path.description == "C:\\Windows\\System32\\vmms.exe")
        #expect(environment.environmentForm(of: path) == "%SystemRoot%\\System32\\vmms.exe")
        let data = try #require(WindowsPath("D:\\PD\\Microsoft\\Windows\\Hyper-V"))
        #expect(environment.environmentForm(of: data) == "%ProgramData%\\Microsoft\\Windows\\Hyper-V")
        #expect(environment.environmentForm(of: try #require(WindowsPath("E:\\VMs"))) == nil)
    }
}
