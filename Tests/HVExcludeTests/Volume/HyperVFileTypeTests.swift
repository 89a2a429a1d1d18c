import Testing

@testable import HVXVolume

/// The one table of Hyper-V's file types: each reader of it gets the set it had before the table was shared.
@Suite struct HyperVFileTypeTests {
    @Test func everyTypeOnce() {
        #expect(HyperVFileType.table.count == HyperVFileType.extensions.count)
        #expect(
            HyperVFileType.table.allSatisfy {
                $0.fileExtension == $0.fileExtension.lowercased() && !$0.fileExtension.hasPrefix(".")
            })
    }

    @Test func theFolderRuleTakesEveryType() {
        #expect(
            HyperVFileType.extensions == [
                "vhd", "vhdx", "avhd", "avhdx", "vhds", "vhdpmem", "rct", "mrt", "vsv", "bin", "vmcx", "vmrs", "vmgs",
                "slp",
                "hrl", "hru",
            ])
    }

    @Test func theClassifierTakesDisksAndRuntimeState() {
        #expect(HyperVFileType.extensions(.disk) == ["vhd", "vhdx", "avhd", "avhdx", "vhds", "vhdpmem"])
        #expect(HyperVFileType.extensions(.runtimeState) == ["vmrs", "vmgs", "vsv", "bin"])
        #expect(
            HyperVFileType.extensions(.configuration, .changeTracking, .replicaLog) == [
                "vmcx", "rct", "mrt", "hrl", "hru",
            ])
    }

    @Test func theDiagnosisLeavesOutSharedAndSmartPagingTypes() {
        #expect(!HyperVFileType.diagnosable.contains("bin"))
        #expect(!HyperVFileType.diagnosable.contains("slp"))
        #expect(HyperVFileType.diagnosable.count == HyperVFileType.extensions.count - 2)
    }
}
