import Graph
import Synchronization

/// Where exported resources go and collected ones come from: one interface, so a host's
/// exports reach other hosts through etcd later exactly as they reach this host now.
public protocol World: Sendable {
    /// Replaces this host's exports (names without the `@@` prefix).
    func export(host: String, _ resources: [Resource]) async throws
    /// Every exported resource of the given kinds, from every host (this one included).
    func collect(kinds: Set<String>) async throws -> [(host: String, resource: Resource)]
}

/// The world of one process: what a host exports, it (and only it) can collect.
public final class LocalWorld: World {
    let store = Mutex([String: [Resource]]())
    public init() {}

    public func export(host: String, _ resources: [Resource]) async throws {
        store.withLock { $0[host] = resources }
    }

    public func collect(kinds: Set<String>) async throws -> [(host: String, resource: Resource)] {
        store.withLock { s in
            s.keys.sorted().flatMap { host in s[host]!.filter { kinds.contains($0.kind) }.map { (host, $0) } }
        }
    }
}

extension Graph {
    /// Sends the `@@` resources to the world and adds what `collect` asks for: a collected file
    /// is moved into the pattern's directory, as mgmt does (`pattern` replaces the dirname).
    public func exchanging(with world: World, host: String) async throws -> Graph {
        var local = self
        let exported = resources.filter(\.isExported).map { r -> Resource in
            var x = r
            x.name = String(r.name.dropFirst(2))
            return x
        }
        // (Most graphs export nothing: then the lists stay as they are, not copied.)
        if !exported.isEmpty {
            local.resources = resources.filter { !$0.isExported }
            let exportedRefs = Set(resources.filter(\.isExported).map(\.ref))
            local.edges = edges.filter { !exportedRefs.contains($0.from) && !exportedRefs.contains($0.to) }
        }
        try await world.export(host: host, exported)
        guard !collect.isEmpty else { return local }
        var have = Set(local.resources.map(\.ref))
        for (_, r) in try await world.collect(kinds: Set(collect.map(\.kind))) {
            var c = r
            for entry in collect where entry.kind == r.kind && !entry.pattern.isEmpty && r.kind == "file" {
                var p = c.params
                p["dirname"] = .string(entry.pattern.hasSuffix("/") ? entry.pattern : entry.pattern + "/")
                c.params = p
            }
            if have.insert(c.ref).inserted { local.resources.append(c) }
        }
        return local
    }
}
