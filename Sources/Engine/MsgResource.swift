import Graph
import Synchronization

/// Logs its body: on the first check-apply and whenever refreshed (Puppet's `notify`, which
/// reports a change each run). `priority`, `fields`, `journal` and `syslog` are read for
/// compatibility; the body goes to our log.
final class MsgResource: EngineResource {
    let ref: Ref
    let body: String
    let said = Mutex(false)

    init(_ r: Resource) throws {
        var p = Params(r)
        body = try p.string("body") ?? r.name
        if let prio = try p.string("priority"),
           !["Emerg", "Alert", "Crit", "Err", "Warning", "Notice", "Info", "Debug"].contains(prio) {
            throw p.error("priority", "'priority' must be one of Emerg, Alert, Crit, Err, Warning, Notice, Info, Debug")
        }
        _ = try p.stringMap("fields")
        _ = try p.bool("journal")
        _ = try p.bool("syslog")
        try p.finish()
        ref = r.ref
    }

    func checkApply(_ context: ApplyContext) async throws -> Bool {
        let first = said.withLock { !$0 }
        guard first || context.refresh else { return true }
        if context.apply {
            said.withLock { $0 = true }
            context.log("message: \(body)")
        } else {
            context.log("would log: \(body)")
        }
        return false
    }
}
