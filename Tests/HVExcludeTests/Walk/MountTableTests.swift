import Testing

@testable import HVXWalk

@Suite struct MountTableTests {
    /// Two mountinfo lines in the kernel's layout (proc(5)): field 5 the mount point, after " - " the type.
    static let mountinfo = Array(
        """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        25 22 0:5 / /proc rw,nosuid - proc proc rw
        40 22 0:40 / /proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw

        """.utf8)

    @Test func theLongestMountPointAboveAPathGivesItsType() {
        #expect(MountTable.fileSystemType(of: "/etc", mountinfo: Self.mountinfo) == "ext4")
        #expect(MountTable.fileSystemType(of: "/proc/self", mountinfo: Self.mountinfo) == "proc")
        #expect(MountTable.fileSystemType(of: "/proc", mountinfo: Self.mountinfo) == "proc")
        #expect(MountTable.fileSystemType(of: "/nonexistent-hvx", mountinfo: Self.mountinfo) == nil)
    }
}
