import Graph
#if canImport(Glibc)
import Glibc
#endif

/// A file, directory (path ends in `/`) or symlink, after mgmt's file resource with Puppet's
/// `replace`. Content is written atomically (temp file, fsync, rename); the path is never
/// followed through a symlink. Watched through the shared inotify instance.
struct FileResource: EngineResource {
    enum State: String { case exists, absent, unspecified = "" }

    let ref: Ref
    let path: String
    let state: State
    let content: [UInt8]?
    let source: String?
    let owner: String?
    let group: String?
    let mode: mode_t?
    let recurse: Bool
    let force: Bool
    let purge: Bool
    let replace: Bool
    let symlink: Bool

    var isDirectory: Bool { path.hasSuffix("/") }
    /// The path without the trailing slash of a directory.
    var bare: String { isDirectory && path.utf8.count > 1 ? String(path[..<path.utf8.index(before: path.utf8.endIndex)]) : path }

    init(_ r: Resource) throws {
        var p = Params(r)
        var path = try p.string("path") ?? r.name
        if let dirname = try p.string("dirname") {
            guard dirname.hasSuffix("/") else { throw p.error("dirname", "'dirname' must end with '/'") }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            // The last component (all of it when there is no '/'; an empty path has none).
            let name = base.lastIndex(of: "/").map { base[base.index(after: $0)...] } ?? base[...]
            path = dirname + name.drop(while: { $0 == "/" }) + (path.hasSuffix("/") ? "/" : "")
        }
        if let basename = try p.string("basename") {
            guard !basename.hasPrefix("/") else { throw p.error("basename", "'basename' must not start with '/'") }
            let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
            path = (dir.lastIndex(of: "/").map { String(dir[...$0]) } ?? "") + basename
        }
        guard path.hasPrefix("/") else { throw p.error("path", "the path '\(path)' must be absolute") }
        guard !Self.hasDotComponent(path) else {
            throw p.error("path", "the path '\(path)' must not contain '.' or '..'")
        }
        self.path = path
        let stateText = try p.string("state") ?? "exists"
        guard let state = State(rawValue: stateText) else { throw p.error("state", "'state' must be exists or absent (got '\(stateText)')") }
        self.state = state
        content = try p.string("content").map { Array($0.utf8) }
        source = try p.string("source")
        owner = try p.string("owner")
        group = try p.string("group")
        if let m = try p.string("mode") {
            guard let parsed = FileMode.parse(m) else {
                throw p.error("mode", "'mode' must be octal (0644) or symbolic assignments (u=rw,go=r), got '\(m)'")
            }
            mode = parsed
        } else { mode = nil }
        recurse = try p.bool("recurse") ?? false
        force = try p.bool("force") ?? false
        purge = try p.bool("purge") ?? false
        replace = try p.bool("replace") ?? true
        symlink = try p.bool("symlink") ?? false
        try p.finish()
        ref = r.ref
        if content != nil && source != nil { throw p.error("content", "'content' and 'source' cannot both be set") }
        if content != nil && path.hasSuffix("/") { throw p.error("content", "a directory cannot have 'content'") }
        if symlink && (source ?? "").isEmpty { throw p.error("symlink", "'symlink' needs 'source' (the link target)") }
        if let source, !symlink, !source.hasPrefix("/") {
            throw p.error("source", "'source' must be an absolute local path (got '\(source)')")
        }
        if path == "/" && state == .absent { throw p.error("state", "refusing to remove /") }
    }

    /// A `.` or `..` component (one byte walk, no split).
    static func hasDotComponent(_ path: String) -> Bool {
        var run = 0, onlyDots = true
        for b in path.utf8 {
            if b == UInt8(ascii: "/") {
                if onlyDots && (run == 1 || run == 2) { return true }
                run = 0
                onlyDots = true
            } else {
                run += 1
                if b != UInt8(ascii: ".") { onlyDots = false }
            }
        }
        return onlyDots && (run == 1 || run == 2)
    }

    var uids: [ResourceUID] { [.file(path)] }

    /// The nearest managed ancestor directory, and nothing above it.
    var autoEdges: [AutoEdgeWant] {
        guard path != "/" else { return [] }
        // Each ancestor with its trailing slash: the path up to and including each `/`.
        // Made from the path's bytes (nearest first): no String index arithmetic per ancestor.
        var bytes = Array(bare.utf8)
        var wants: [ResourceUID] = []
        while let slash = bytes.lastIndex(of: UInt8(ascii: "/")) {
            bytes.removeSubrange((slash + 1)...)
            wants.append(.file(String(decoding: bytes, as: UTF8.self)))
            bytes.removeLast()
        }
        return [AutoEdgeWant(uids: wants, firstMatchOnly: true, reversed: true)]
    }

    /// The path (and a local source) without recursion are plain inotify subscriptions: no
    /// task per file.
    func subscribe(_ events: WatchEvents) throws -> WatchSubscription? {
        guard !recurse else { return nil }
        let w = InotifyWatcher.shared
        guard w.isAvailable else { throw FS.Failure(message: "inotify is not available") }
        let subs = watchRoots.map { w.subscribe($0) { events.changed() } }
        return WatchSubscription { for s in subs { w.unsubscribe(s) } }
    }

    var watchRoots: [String] {
        [bare] + (source.flatMap { symlink ? nil : trimmingTrailingSlashes($0) }.map { [$0] } ?? [])
    }

    func watch(_ events: WatchEvents) async throws {
        let w = InotifyWatcher.shared
        guard w.isAvailable else { throw FS.Failure(message: "inotify is not available") }
        let roots = watchRoots
        // With recurse, every directory of both trees is watched; a change re-walks the trees
        // so directories created or removed below are watched or dropped.
        let (changes, tell) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var subs: [String: InotifyWatcher.Subscription] = [:]
        func rescan() {
            // Walk again until nothing new turns up: a directory made between a walk and its
            // watch would otherwise go unwatched (its creation event reached nobody).
            var pass = 0
            while true {
                var dirs = Set(roots)
                for root in roots where FS.info(root).kind == .directory {
                    try? walk(root) { path, info in if info.kind == .directory { dirs.insert(path) } }
                }
                for (dir, sub) in subs where !dirs.contains(dir) { w.unsubscribe(sub); subs[dir] = nil }
                let new = dirs.filter { subs[$0] == nil }
                if new.isEmpty { return }
                for dir in new { subs[dir] = w.subscribe(dir, inside: true) { events.changed(); tell.yield() } }
                pass += 1
                if pass > 1 { events.changed() } // what appeared unwatched needs a check too
            }
        }
        rescan()
        await withTaskCancellationHandler {
            for await _ in changes { rescan() }
        } onCancel: {
            tell.finish()
        }
        for s in subs.values { w.unsubscribe(s) }
    }

    func checkApply(_ context: ApplyContext) async throws -> Bool {
        var run = Run(context: context)
        try await apply(&run)
        return run.ok
    }

    /// Collects whether anything was (or would be) changed, and logs each change.
    struct Run {
        let context: ApplyContext
        var ok = true
        mutating func change(_ what: String, _ action: () async throws -> Void) async throws {
            ok = false
            if context.apply {
                try await action()
                context.log(what)
            } else {
                context.log("would be " + what)
            }
        }
    }

    func apply(_ run: inout Run) async throws {
        let here = FS.info(bare)
        if state == .absent {
            guard here.kind != .missing else { return }
            if here.kind == .directory && !isDirectory && !force {
                run.context.log("not removing directory \(bare) (set force to remove it)")
                return
            }
            try await run.change("removed") { try FS.remove(bare) }
            return
        }
        if symlink {
            let target = source!
            if here.kind == .link && FS.readLink(bare) == target { return try await attributes(&run, FS.info(bare)) }
            if here.kind == .directory && !force { throw FS.Failure(message: "\(bare) is a directory; set force to replace it with a symlink") }
            try await run.change("created symlink to \(target)") {
                if here.kind == .directory { try FS.remove(bare) }
                try FS.makeLink(bare, to: target)
            }
            return try await attributes(&run, FS.info(bare))
        }
        if isDirectory {
            if here.kind != .directory {
                if state == .unspecified && here.kind == .missing { return }
                if here.kind != .missing && !force {
                    throw FS.Failure(message: "\(bare) exists and is not a directory; set force to replace it")
                }
                try await run.change("created directory") {
                    if here.kind != .missing { try FS.remove(bare) }
                    try FS.makeDirectory(bare, mode: mode.map(FileMode.forDirectory) ?? 0o755)
                }
                if !run.context.apply { return }
            }
            if let source, recurse { try await sync(from: source, to: bare, &run) }
            return try await attributes(&run, FS.info(bare))
        }
        // A regular file.
        if here.kind == .directory {
            guard force else { throw FS.Failure(message: "\(bare) is a directory; set force to replace it with a file") }
        }
        let desired: [UInt8]?
        if let content { desired = content }
        else if let source {
            guard let bytes = try FS.read(source) else { throw FS.Failure(message: "source \(source) is missing or not a regular file") }
            desired = bytes
        } else { desired = nil }
        // Whether a regular file is there and whether it differs from what it must hold, each
        // found once: a size that differs settles it, equal sizes are compared without a copy.
        var present = false, differs = false
        if here.kind == .file {
            if let desired {
                let same = try FS.contentEquals(bare, desired)
                present = same != nil
                differs = same == false
            } else if let (fd, _) = try FS.openRegular(bare) {
                close(fd)
                present = true
            }
        }
        // The usual check: nothing to write, the attributes compared with what lstat gave.
        if present && !differs { return try await attributes(&run, here) }
        let newMode = mode ?? (here.kind == .file ? here.mode : 0o644)
        if !present {
            if state == .unspecified { return }
            try await run.change(desired == nil ? "created" : "created with content") {
                if here.kind == .directory { try FS.remove(bare) }
                try await FS.writeAtomically(bare, desired ?? [], mode: newMode, uid: owner.flatMap(FS.uid), gid: group.flatMap(FS.gid))
            }
            if !run.context.apply { return }
        } else if let desired, replace {
            try await run.change("changed content") {
                try await FS.writeAtomically(bare, desired, mode: newMode,
                                       uid: owner.flatMap(FS.uid) ?? (getuid() == 0 ? here.uid : nil),
                                       gid: group.flatMap(FS.gid) ?? (getuid() == 0 ? here.gid : nil))
            }
        }
        try await attributes(&run, FS.info(bare))
    }

    /// Owner, group and mode of the path itself (and with `recurse`, of everything in it).
    func attributes(_ run: inout Run, _ here: FS.Info, at path: String? = nil) async throws {
        let p = path ?? bare
        guard here.kind != .missing else { return }
        if let owner {
            guard let uid = FS.uid(owner) else { throw FS.Failure(message: "no such user '\(owner)'") }
            if uid != here.uid { try await run.change("owner of \(p) set to \(owner)") { guard lchown(p, uid, UInt32.max) == 0 else { throw FS.Failure("cannot chown", p) } } }
        }
        if let group {
            guard let gid = FS.gid(group) else { throw FS.Failure(message: "no such group '\(group)'") }
            if gid != here.gid { try await run.change("group of \(p) set to \(group)") { guard lchown(p, UInt32.max, gid) == 0 else { throw FS.Failure("cannot chgrp", p) } } }
        }
        if let mode, here.kind != .link {
            let want = here.kind == .directory ? FileMode.forDirectory(mode) : mode
            if want != here.mode {
                try await run.change("mode of \(p) changed \(FileMode.octal(here.mode)) -> \(FileMode.octal(want))") {
                    guard chmod(p, want) == 0 else { throw FS.Failure("cannot chmod", p) }
                }
            }
        }
        if recurse && path == nil && here.kind == .directory && (owner != nil || group != nil || mode != nil) {
            var children: [(String, FS.Info)] = []
            try walk(bare) { children.append(($0, $1)) }
            for (child, info) in children { try await attributes(&run, info, at: child) }
        }
    }

    func walk(_ dir: String, _ body: (String, FS.Info) throws -> Void) throws {
        for name in try FS.list(dir) {
            let child = dir + "/" + name
            let info = FS.info(child)
            try body(child, info)
            if info.kind == .directory { try walk(child, body) }
        }
    }

    /// Makes the tree at `dest` hold what the tree at `source` holds (rsync-like); with
    /// `purge`, entries that are not in the source are removed.
    func sync(from source: String, to dest: String, _ run: inout Run) async throws {
        let src = source.hasSuffix("/") && source.count > 1 ? String(source.dropLast()) : source
        guard FS.info(src).kind == .directory else { throw FS.Failure(message: "source \(source) is not a directory") }
        let names = try FS.list(src)
        for name in names {
            let s = src + "/" + name, d = dest + "/" + name
            let si = FS.info(s), di = FS.info(d)
            switch si.kind {
            case .directory:
                if di.kind != .directory {
                    try await run.change("created directory \(d)") {
                        if di.kind != .missing { try FS.remove(d) }
                        try FS.makeDirectory(d, mode: mode.map(FileMode.forDirectory) ?? si.mode)
                    }
                }
                if run.context.apply || di.kind == .directory { try await sync(from: s, to: d, &run) }
            case .file:
                let want = try FS.read(s) ?? []
                let have = di.kind == .file ? try FS.read(d) : nil
                if have != want && (have == nil || replace) {
                    try await run.change(have == nil ? "created \(d)" : "changed content of \(d)") {
                        if di.kind == .directory { try FS.remove(d) }
                        try await FS.writeAtomically(d, want, mode: mode ?? si.mode, uid: owner.flatMap(FS.uid), gid: group.flatMap(FS.gid))
                    }
                }
            case .link:
                let target = FS.readLink(s) ?? ""
                if di.kind != .link || FS.readLink(d) != target {
                    try await run.change("created symlink \(d)") {
                        if di.kind == .directory { try FS.remove(d) }
                        try FS.makeLink(d, to: target)
                    }
                }
            default: continue
            }
        }
        if purge, FS.info(dest).kind == .directory {
            let keep = Set(names)
            for name in try FS.list(dest) where !keep.contains(name) {
                try await run.change("purged \(dest)/\(name)") { try FS.remove(dest + "/" + name) }
            }
        }
    }
}
