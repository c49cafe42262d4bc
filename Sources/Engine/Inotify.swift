import Graph
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One inotify instance for the whole process, read by one thread. A subscription names a
/// path that may not exist yet: the watch sits on its parent directory (or the nearest
/// existing ancestor), so creation, deletion, replacement by rename and attribute changes are
/// all seen; when a missing ancestor appears or a watched directory goes away, the watch moves.
/// A queue overflow makes every subscriber re-check (`IN_Q_OVERFLOW`).
public final class InotifyWatcher: Sendable {
    public static let shared = InotifyWatcher()

    public struct Subscription: Hashable, Sendable { let id: Int }

    struct Sub {
        var path: String          // absolute, no trailing slash (except "/")
        var inside: Bool          // also report changes to entries inside the directory `path`
        var callback: @Sendable () -> Void
        var anchor: String = ""   // the directory we watch for it
        var wanted: String? = nil // the entry of `anchor` it is about (nil: anything in it)
    }

    struct State {
        var subs: [Int: Sub] = [:]
        var nextID = 0
        var wdByDir: [String: Int32] = [:]
        var dirByWd: [Int32: String] = [:]
        /// Directory → entry name (nil: any entry) → subscriptions. Indexed by name so an event
        /// in a directory holding 10k watched files costs one lookup, not a scan.
        var subsByAnchor: [String: [String?: Set<Int>]] = [:]
    }

    let fd: Int32
    let state = Mutex(State())

    static let mask: UInt32 = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO
        | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    init() {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        let fd = self.fd
        guard fd >= 0 else { return }
        detachThread { [self] in readLoop(fd) }
    }

    public var isAvailable: Bool { fd >= 0 }

    /// Calls `callback` (on the watcher's thread; keep it short) whenever `path` may have changed.
    /// With `inside`, changes to the entries of the directory `path` count too.
    public func subscribe(_ path: String, inside: Bool = false, _ callback: @escaping @Sendable () -> Void) -> Subscription {
        let norm = trimmingTrailingSlashes(path)
        return state.withLock { st in
            let id = st.nextID
            st.nextID += 1
            st.subs[id] = Sub(path: norm, inside: inside, callback: callback)
            place(id, &st)
            return Subscription(id: id)
        }
    }

    public func unsubscribe(_ s: Subscription) {
        state.withLock { st in
            guard let sub = st.subs.removeValue(forKey: s.id) else { return }
            detach(s.id, from: sub.anchor, &st)
        }
    }

    /// Paths are handled as UTF-8 bytes (`/` is one byte): no Character walks on hot paths.
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    }

    /// What follows the last `/` (the whole path when there is none).
    static func lastComponent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Watch the directory that can tell us about `sub`: the directory itself when it exists and
    /// `inside` is asked (its parent sees its own replacement too, through the parent anchor on
    /// another level: we keep it simple by watching the parent for the entry and the directory
    /// for its entries under two anchors), else the nearest existing ancestor.
    func place(_ id: Int, _ st: inout State) {
        guard var sub = st.subs[id] else { return }
        detach(id, from: sub.anchor, &st)
        var child = sub.path
        let parent = Self.parent(sub.path)
        var dir = parent
        // A directory we already watch exists (or its removal is on its way to us as an event).
        while st.wdByDir[dir] == nil && !Self.isDirectory(dir) && dir != "/" {
            child = dir
            dir = Self.parent(dir)
        }
        if sub.path == "/" { dir = "/"; child = "" }
        let name = Self.lastComponent(child)
        sub.anchor = dir
        sub.wanted = sub.path == "/" ? nil : (name.isEmpty ? nil : name)
        st.subs[id] = sub
        attach(id, to: dir, key: sub.wanted, &st)
        if sub.inside && dir == parent && Self.isDirectory(sub.path) {
            attach(id, to: sub.path, key: nil, &st)
        }
        // The next directory down may have appeared before the watch was in place (its
        // creation event then went to nobody): look again now that we watch.
        if dir != parent, let wanted = sub.wanted,
           Self.isDirectory((dir == "/" ? "" : dir) + "/" + wanted) {
            place(id, &st)
        }
    }

    func attach(_ id: Int, to dir: String, key: String?, _ st: inout State) {
        if st.wdByDir[dir] == nil {
            let wd = inotify_add_watch(fd, dir, Self.mask)
            if wd >= 0 {
                st.wdByDir[dir] = wd
                st.dirByWd[wd] = dir
            }
        }
        st.subsByAnchor[dir, default: [:]][key, default: []].insert(id)
    }

    func detach(_ id: Int, from anchor: String, _ st: inout State) {
        guard !anchor.isEmpty, let sub = st.subs[id] else { return }
        for (dir, key) in [(anchor, sub.wanted), (sub.path, nil as String?)] {
            guard st.subsByAnchor[dir]?[key]?.remove(id) != nil else { continue }
            if st.subsByAnchor[dir]![key]!.isEmpty { st.subsByAnchor[dir]![key] = nil }
            if st.subsByAnchor[dir]!.isEmpty {
                st.subsByAnchor[dir] = nil
                if let wd = st.wdByDir.removeValue(forKey: dir) {
                    st.dirByWd[wd] = nil
                    inotify_rm_watch(fd, wd)
                }
            }
        }
    }

    /// Every subscription anchored at `dir`.
    func all(_ dir: String, _ st: State) -> [Int] {
        (st.subsByAnchor[dir] ?? [:]).values.flatMap { $0 }
    }

    func readLoop(_ fd: Int32) {
        let size = 64 * 1024
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        while true {
            let n = read(fd, buf, size)
            if n < 0 { if errno == EINTR { continue }; return }
            var offset = 0
            var fire: [@Sendable () -> Void] = []
            state.withLock { st in
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let ev = buf.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    var name = ""
                    if ev.len > 0 {
                        let p = (buf + nameStart).assumingMemoryBound(to: CChar.self)
                        name = String(cString: p)
                    }
                    offset = nameStart + Int(ev.len)
                    handle(ev, name, &st, &fire)
                }
            }
            for f in fire { f() }
        }
    }

    func handle(_ ev: inotify_event, _ name: String, _ st: inout State, _ fire: inout [@Sendable () -> Void]) {
        if ev.mask & UInt32(IN_Q_OVERFLOW) != 0 {
            for id in Array(st.subs.keys) { place(id, &st) }
            fire += st.subs.values.map(\.callback)
            return
        }
        guard let dir = st.dirByWd[ev.wd] else { return }
        let gone = ev.mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0
        if gone {
            if ev.mask & UInt32(IN_IGNORED) != 0 {
                // The kernel dropped this watch; the path may already be watched again (a
                // directory recreated under the same name has a new watch): keep that one.
                st.dirByWd[ev.wd] = nil
                guard st.wdByDir[dir] == ev.wd else { return }
                st.wdByDir[dir] = nil
            }
            for id in all(dir, st) {
                place(id, &st)
                if let s = st.subs[id] { fire.append(s.callback) }
            }
            return
        }
        let structural = ev.mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM) != 0
        let byName = st.subsByAnchor[dir] ?? [:]
        for id in (byName[name] ?? []).union(byName[nil] ?? []) {
            guard let s = st.subs[id] else { continue }
            let aboutEntry = s.anchor == dir && (s.wanted == nil || s.wanted == name)
            let aboutInside = s.inside && s.path == dir
            guard aboutEntry || aboutInside else { continue }
            // A missing ancestor appeared (or the entry's directory kind changed): move down.
            if structural && aboutEntry && s.anchor != Self.parent(s.path) { place(id, &st) }
            else if structural && aboutEntry && s.inside { place(id, &st) }
            fire.append(s.callback)
        }
    }
}
