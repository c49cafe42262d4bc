import Graph

/// Does nothing; logs when refreshed (useful to see notifications arrive). Puppet containers
/// and types the engine lacks are noops in translated graphs.
struct NoopResource: EngineResource {
    let ref: Ref

    init(_ r: Resource) throws {
        var p = Params(r)
        _ = try p.string("comment")
        try p.finish()
        ref = r.ref
    }

    func checkApply(_ context: ApplyContext) async throws -> Bool {
        // Container whits pass refreshes on silently; a named noop says it got one.
        if context.refresh && !ref.name.hasPrefix("admissible_") && !ref.name.hasPrefix("completed_") {
            context.log("received a notification")
        }
        return true
    }
}
