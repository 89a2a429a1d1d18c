/// Byte order of an on-disk integer. There is no default: VHD is big-endian; VHDX, regf and VMCX little-endian.
package enum Endianness: Sendable {
    case little
    case big
}
