import Graph

/// The resource kinds the engine runs, one file each.
public enum ResourceKinds {
    public static let supported = ["exec", "file", "msg", "noop"]

    public static func make(_ r: Resource) throws -> EngineResource {
        switch r.kind {
        case "noop": return try NoopResource(r)
        case "file": return try FileResource(r)
        case "exec": return try ExecResource(r)
        case "msg": return try MsgResource(r)
        case "pkg", "svc":
            throw ResourceError(message: "\(r.ref): the engine cannot run \(r.kind) resources yet (planned: " +
                                (r.kind == "pkg" ? "PackageKit" : "systemd over D-Bus") + "; `run --skip-unsupported` runs the rest)",
                                position: r.position)
        default:
            throw ResourceError(message: "\(r.ref): unknown resource kind '\(r.kind)' (the engine runs: \(supported.joined(separator: ", ")))",
                                position: r.position)
        }
    }
}
