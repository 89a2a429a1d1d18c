import Foundation
import Testing

/// Writes SYSTEM hives whose MountedDevices name given partitions, with `scripts/make-hives` (hivexsh).
///
/// The value data is built in Python from the spec (uuid.bytes_le, struct.pack), not by the code under test.
enum SystemHiveFixture {
    /// One MountedDevices value: `.gpt(partition GUID)`, `.mbr(disk signature, byte offset)` or `.text(device path)`.
    enum Data {
        case gpt(String)
        case mbr(UInt32, UInt64)
        case text(String)

        var json: [Any] {
            switch self {
            case .gpt(let guid): return ["gpt", guid]
            case .mbr(let signature, let offset): return ["mbr", signature, offset]
            case .text(let path): return ["text", path]
            }
        }
    }

    static let script = """
        import importlib.machinery, importlib.util, json, struct, sys, uuid
        loader = importlib.machinery.SourceFileLoader("make_hives", sys.argv[1])
        spec = importlib.util.spec_from_loader("make_hives", loader)
        mh = importlib.util.module_from_spec(spec)
        loader.exec_module(mh)
        def data(item):
            if item[0] == "gpt":
                return b"DMIO:ID:" + uuid.UUID(item[1]).bytes_le
            if item[0] == "mbr":
                return struct.pack("<IQ", item[1], item[2])
            return item[1].encode("utf-16-le")
        mounted = {name: mh.binary(data(item)) for name, item in json.loads(sys.argv[3]).items()}
        mh.write_hive(sys.argv[2], mh.system_tree("2022", mounted=mounted))
        """

    /// Writes `root/Windows/System32/config/SYSTEM` with `mounted` as its MountedDevices values.
    static func write(volumeRoot root: String, mounted: [String: Data]) throws {
        let folder = root + "/Windows/System32/config"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let spec = try JSONSerialization.data(withJSONObject: mounted.mapValues(\.json))
        let result = try runProcess(
            "python3",
            [
                "-c", script, Fixtures.projectRoot.appendingPathComponent("scripts/make-hives").path,
                folder + "/SYSTEM",
                String(decoding: spec, as: UTF8.self),
            ])
        guard result.status == 0 else { throw FixtureError("make-hives failed: \(result.stderr)") }
    }
}
