import HVXBinary

/// One key of a Hyper-V configuration key tree: a name, a typed value and, for nodes, children in stored order.
///
/// VMCX files and XML configurations map to the same model, so one set of lookups (`configuration/properties/name`)
/// serves both. Names compare case-insensitively, as Hyper-V's own lookups do (`_83F8638B-…_` and
/// `_83f8638b-…_` are the same key). XML configurations may repeat a name among siblings (`metric`); lookups
/// return the first, ``children(named:)`` all of them.
package struct ConfigNode: Sendable, Equatable {
    /// The key name as stored.
    package var name: String
    /// The value; `.node` for keys that hold children.
    package var value: ConfigValue
    /// Child keys in stored order (VMCX insertion sequence, XML document order).
    package var children: [ConfigNode]
    /// Where the key was read: "0x303A" (absolute VMCX entry offset) or "line 35" (XML).
    package var location: String

    /// Creates a key.
    package init(name: String, value: ConfigValue, children: [ConfigNode] = [], location: String = "") {
        self.name = name
        self.value = value
        self.children = children
        self.location = location
    }

    /// Whether this key holds children rather than a leaf value.
    package var isNode: Bool { value == .node }

    /// The first child whose name equals `name`, ignoring ASCII case.
    package func child(named name: String) -> ConfigNode? {
        children.first { NTFSName.equal($0.name, name) }
    }

    /// Every child whose name equals `name`, ignoring ASCII case.
    package func children(named name: String) -> [ConfigNode] {
        children.filter { NTFSName.equal($0.name, name) }
    }

    /// The key at a `/`-separated path below this one (`properties/name`), or nil.
    package func node(at path: String) -> ConfigNode? {
        var current = self
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let next = current.child(named: String(component)) else { return nil }
            current = next
        }
        return current
    }

    /// The string value at `path`, or nil when absent or not a string.
    package func string(at path: String) -> String? { node(at: path)?.value.stringValue }

    /// The integer value at `path`, or nil when absent or not an integer.
    package func integer(at path: String) -> Int64? { node(at: path)?.value.integerValue }

    /// The Boolean value at `path`, or nil when absent or not a bool.
    func bool(at path: String) -> Bool? { node(at: path)?.value.boolValue }

    /// Calls `visit` for this key and every descendant, depth first, with its `/`-separated path from here.
    package func forEach(path prefix: String = "", _ visit: (String, ConfigNode) -> Void) {
        var stack: [(String, ConfigNode)] = [(prefix, self)]
        while let (path, node) = stack.popLast() {
            visit(path, node)
            for child in node.children.reversed() {
                stack.append((path.isEmpty ? child.name : path + "/" + child.name, child))
            }
        }
    }

    /// Number of keys in this subtree, this one included.
    package var count: Int {
        var total = 0
        forEach { _, _ in total += 1 }
        return total
    }
}
