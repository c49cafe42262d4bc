import Graph

/// One managed thing, after mgmt's resource API: pure validation at construction, a watch that
/// reports changes, check-apply, and identities (UIDs) for automatic edges.
/// Resources never talk to each other; the scheduler does.
public protocol EngineResource: Sendable {
    var ref: Ref { get }

    /// Reports every change that may need a check-apply through `events.changed()` and returns
    /// when cancelled. Resources with nothing to watch return at once. D-Bus (svc, pkg) and
    /// inotify (file) watchers fit here: they call back from their own threads.
    func watch(_ events: WatchEvents) async throws

    /// A watch that is nothing but callback registrations (an inotify subscription, a D-Bus
    /// signal match) may be set up here instead, synchronously: the scheduler then keeps the
    /// returned subscription rather than a task per resource, and the watch is in place before
    /// the first check. nil (the default) means "use `watch`".
    func subscribe(_ events: WatchEvents) throws -> WatchSubscription?

    /// Checks the state and, when `context.apply`, repairs it. Returns true when the state was
    /// already right (nothing done or, in noop, nothing would be done).
    func checkApply(_ context: ApplyContext) async throws -> Bool

    /// What this resource is, for other resources' automatic edges.
    var uids: [ResourceUID] { get }

    /// What this resource depends on, for automatic edges.
    var autoEdges: [AutoEdgeWant] { get }
}

public extension EngineResource {
    func watch(_ events: WatchEvents) async throws {}
    func subscribe(_ events: WatchEvents) throws -> WatchSubscription? { nil }
    var uids: [ResourceUID] { [] }
    var autoEdges: [AutoEdgeWant] { [] }
}

/// A watch set up by `subscribe`; `cancel` removes its registrations (once).
public struct WatchSubscription: Sendable {
    let cancelBody: @Sendable () -> Void
    public init(cancel: @escaping @Sendable () -> Void) { cancelBody = cancel }
    public func cancel() { cancelBody() }
}

/// The sink a watch reports to.
public struct WatchEvents: Sendable {
    let send: @Sendable () -> Void
    public init(_ send: @escaping @Sendable () -> Void) { self.send = send }
    public func changed() { send() }
}

/// What the scheduler tells a check-apply.
public struct ApplyContext: Sendable {
    /// False in noop: report what would change, change nothing.
    public var apply: Bool
    /// A parent changed over a `notify: true` edge.
    public var refresh: Bool
    /// Logs a line about this resource (`File[/etc/motd]: changed content`).
    public var log: @Sendable (String) -> Void

    public init(apply: Bool, refresh: Bool, log: @escaping @Sendable (String) -> Void) {
        self.apply = apply
        self.refresh = refresh
        self.log = log
    }
}

/// An identity one resource offers and another may want.
public enum ResourceUID: Hashable, Sendable, CustomStringConvertible {
    /// A file or (trailing `/`) directory path.
    case file(String)
    case svc(String)
    case pkg(String)

    public var description: String {
        switch self {
        case let .file(p): return "file \(p)"
        case let .svc(n): return "svc \(n)"
        case let .pkg(n): return "pkg \(n)"
        }
    }
}

/// A batch of wanted UIDs. `firstMatchOnly`: try them in order and link only the first one
/// found (a file depends on its nearest managed ancestor only). `reversed`: the edge goes from
/// the match to the wanting resource (the match must happen first).
public struct AutoEdgeWant: Sendable, Equatable {
    public var uids: [ResourceUID]
    public var firstMatchOnly: Bool
    public var reversed: Bool
}

/// A resource the engine cannot build: a message at a position of the graph file.
public struct ResourceError: Error, CustomStringConvertible {
    public let message: String
    public let position: Position?
    public var description: String { message }

    public func graphError() -> GraphError {
        GraphError(message, line: position?.line ?? 1, column: position?.column ?? 1)
    }
}

/// Suspends until the current task is cancelled (a watch with nothing left to do but wait),
/// without a timer: ten thousand watching resources cost ten thousand suspended tasks, not
/// ten thousand sleeps.
func untilCancelled() async {
    let (stream, end) = AsyncStream<Never>.makeStream()
    await withTaskCancellationHandler {
        for await _ in stream {}
    } onCancel: {
        end.finish()
    }
}
