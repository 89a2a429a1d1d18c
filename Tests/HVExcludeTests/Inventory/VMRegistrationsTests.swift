import Foundation
import Testing

@testable import HVXBinary
@testable import HVXFormats
@testable import HVXInventory

@Suite struct VMRegistrationsTests {
    @Test(.requires(.sharedFixtures))
    func liveRegistrationsOnly() throws {
        let registrations = try VMRegistrations.read(path: Fixtures.path("vmcx/data.vmcx"))
        #expect(registrations.formatVersion == 2)
        let expected: [(String, String)] = [
            ("EC04F346-DB96-4700-AF5B-77B3C56C38BD", #"C:\Hyper-V\EasyToFind\Virtual Machines\"#),
            ("993F7B33-6057-4D1E-A1FE-A1A1D77BE974", #"C:\Hyper-V\EasyToFind\Virtual Machines\"#),
            ("A5B56431-CA94-482A-B70A-F1F2B12373BE", #"C:\VM\Other Generation 1\Virtual Machines\"#),
            ("4C57771A-3230-4B92-B029-D63F96518E70", #"C:\VM\Other Generation 2\Virtual Machines\"#),
        ]
        #expect(registrations.virtualMachines.count == 4)
        for (id, folder) in expected {
            let entry = registrations.virtualMachines.first { $0.id == GUID(id) }
            #expect(entry?.configurationPath == folder + id + ".vmcx")
            #expect(entry?.keyPath == "Configurations/VirtualMachines/_\(id)_")
        }
        #expect(Set(registrations.cache.map(\.id)) == Set(expected.map { GUID($0.0)! }))
        #expect(
            registrations.cache.allSatisfy {
                $0.configurationPath == #"C:\ProgramData\Microsoft\Windows\Hyper-V\Virtual Machines Cache\"#
                    + $0.id.description + ".vmcx"
            })
        for stale in ["282874FC-59D6-4F30-BC04-5FDD909C82E0"] {
            #expect(!(registrations.virtualMachines + registrations.cache).contains { $0.id == GUID(stale) })
        }
        let all = (registrations.virtualMachines + registrations.cache).map { $0.id.description + $0.configurationPath }
            .joined()
        for prefix in ["282874FC", "59BA3B9E", "FA2CC0D6"] { #expect(!all.contains(prefix)) }
    }

    @Test func keyNames() {
        #expect(
            VMRegistrations.guid(fromKey: "_EC04F346-DB96-4700-AF5B-77B3C56C38BD_")
                == GUID("EC04F346-DB96-4700-AF5B-77B3C56C38BD"))
        #expect(VMRegistrations.guid(fromKey: "EC04F346-DB96-4700-AF5B-77B3C56C38BD") == nil)
        #expect(
            VMRegistrations.guid(fromXMLFileName: "b90ac31b-c6f8-479f-9b91-07b894a6a3f6.XML")
                == GUID("B90AC31B-C6F8-479F-9B91-07B894A6A3F6"))
        #expect(VMRegistrations.guid(fromXMLFileName: "notes.xml") == nil)
    }

    @Test(.requires(.sharedFixtures))
    func aVMConfigIsNotARegistrationStore() {
        #expect(throws: VMConfigXMLError.self) {
            _ = try VMRegistrations.read(path: Fixtures.path("vmcx/test.vmcx"))
        }
    }
}
