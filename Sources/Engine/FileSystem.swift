#if canImport(Glibc)
import Glibc
#endif

/// The file-system calls the file resource needs, none of which follow a symlink at the
/// managed path: we look at links (lstat), replace them, and never write through them.
enum FS {
    enum Kind: Equatable { case missing, file, directory, link, other }

    struct Info {
        var kind: Kind
        var mode: mode_t   // permission bits (07777)
        var uid: uid_t
        var gid: gid_t
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ what: String, _ path: String, _ err: Int32 = errno) {
            description = "\(what) \(path): \(String(cString: strerror(err)))"
        }
        init(message: String) { description = message }
    }

    static func info(_ path: String) -> Info {
        var st = stat()
        guard lstat(path, &st) == 0 else { return Info(kind: .missing, mode: 0, uid: 0, gid: 0) }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .link
        default: kind = .other
        }
        return Info(kind: kind, mode: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid)
    }

    /// `path` opened for reading when it is a regular file (never through a link), with its
    /// size; nil when it is missing, a link or not a regular file. The caller closes it.
    static func openRegular(_ path: String) throws -> (fd: Int32, size: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT || errno == ELOOP || errno == ENOTDIR { return nil }
            throw Failure("cannot read", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { close(fd); return nil }
        return (fd, Int(st.st_size))
    }

    /// Whether the regular file at `path` holds exactly `bytes` (nil if it is missing or not a
    /// regular file): a size that differs settles it without reading; otherwise one read of
    /// size + 1 bytes into a temporary buffer, no array per file — a regular file returns
    /// fewer bytes than asked only at its end, so a short read needs no second read to see
    /// the end (a file that changes meanwhile is an inotify event, checked again). Callers
    /// lstat first: a path that is a device node or FIFO is never opened.
    static func contentEquals(_ path: String, _ bytes: [UInt8]) throws -> Bool? {
        guard let (fd, size) = try openRegular(path) else { return nil }
        defer { close(fd) }
        guard size == bytes.count else { return false }
        let want = bytes.count + 1  // the extra byte sees a file that grew since fstat
        return try withUnsafeTemporaryAllocation(byteCount: want, alignment: 16) { buf in
            var got = 0
            while got < want {
                let n = Glibc.read(fd, buf.baseAddress! + got, want - got)
                if n < 0 { if errno == EINTR { continue }; throw Failure("cannot read", path) }
                if n == 0 { break }
                got += n
                if got < want { break }  // a short read: the end of the file
            }
            guard got == bytes.count else { return false }
            if got == 0 { return true }
            return bytes.withUnsafeBytes { memcmp($0.baseAddress!, UnsafeRawPointer(buf.baseAddress!), got) == 0 }
        }
    }

    /// The bytes of a regular file (nil if it is missing or not a regular file).
    static func read(_ path: String) throws -> [UInt8]? {
        guard let (fd, size) = try openRegular(path) else { return nil }
        defer { close(fd) }
        // One byte more than the size, so the usual case ends with a short read and then EOF.
        var data = [UInt8](repeating: 0, count: size + 1)
        var got = 0
        while true {
            if got == data.count { data.append(contentsOf: [UInt8](repeating: 0, count: max(4096, data.count))) }
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 { if errno == EINTR { continue }; throw Failure("cannot read", path) }
            if n == 0 { break }
            got += n
        }
        data.removeLast(data.count - got)
        return data
    }

    /// Writes a new file beside `path` (same directory), sets its mode and owner, makes it
    /// durable (fdatasync, on the `DurableWrites` thread) and renames it over `path`: readers see the old or the new content, never a mix, and a link
    /// at `path` is replaced, not followed.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t, uid: uid_t?, gid: gid_t?) async throws {
        let dir = InotifyWatcher.parent(path)
        let base = path[path.index(after: path.lastIndex(of: "/")!)...]
        var tmp = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            tmp = "\(dir == "/" ? "" : dir)/.\(base).mgmt-puppet.\(getpid()).\(attempt)"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Failure("cannot create a temporary file for", path) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tmp) }
        }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 { if errno == EINTR { continue }; throw Failure("cannot write", path) }
            done += n
        }
        if uid != nil || gid != nil {
            guard fchown(fd, uid ?? UInt32.max, gid ?? UInt32.max) == 0 else { throw Failure("cannot chown", path) }
        }
        guard fchmod(fd, mode) == 0 else { throw Failure("cannot chmod", path) }
        let synced = await DurableWrites.shared.sync(fd)
        guard synced == 0 else { throw Failure("cannot sync", path, synced) }
        guard rename(tmp, path) == 0 else { throw Failure("cannot rename into", path) }
        ok = true
    }

    /// Removes a file, link or whole directory tree (never following links).
    static func remove(_ path: String) throws {
        let i = info(path)
        switch i.kind {
        case .missing: return
        case .directory:
            for name in try list(path) { try remove(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw Failure("cannot remove", path) }
        default:
            guard unlink(path) == 0 || errno == ENOENT else { throw Failure("cannot remove", path) }
        }
    }

    static func list(_ path: String) throws -> [String] {
        guard let d = opendir(path) else { throw Failure("cannot list", path) }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws {
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw errno == ENOENT ? Failure(message: "cannot create directory \(path): its parent directory does not exist")
                : Failure("cannot create directory", path)
        }
        chmod(path, mode)
    }

    static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes `path` a symlink to `target`, replacing a file or link atomically.
    static func makeLink(_ path: String, to target: String) throws {
        let tmp = path + ".mgmt-puppet-link.\(getpid())"
        unlink(tmp)
        guard symlink(target, tmp) == 0 else { throw Failure("cannot create symlink", path) }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw Failure("cannot rename symlink into", path) }
    }

    static func uid(_ name: String) -> uid_t? {
        if let n = UInt32(name) { return n }
        return getpwnam(name)?.pointee.pw_uid
    }

    static func gid(_ name: String) -> gid_t? {
        if let n = UInt32(name) { return n }
        return getgrnam(name)?.pointee.gr_gid
    }
}

/// File modes as Puppet and mgmt write them: octal (`644`, `0644`, `2755`) or symbolic
/// assignments (`u=rw,go=r`, `ugo=rwx`, `a=r`); `+`/`-` are refused, as in mgmt, because they
/// do not describe one state.
enum FileMode {
    static func parse(_ text: String) -> mode_t? {
        // Octal digits, nearly always: read from the bytes.
        let digits = text.utf8
        if !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
            return digits.reduce(0) { $0 << 3 | mode_t($1 - 0x30) }
        }
        var mode: mode_t = 0
        for clause in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = clause.firstIndex(of: "=") else { return nil }
            let who = clause[..<eq], what = clause[clause.index(after: eq)...]
            var shifts: [mode_t] = []
            for c in who {
                switch c {
                case "u": shifts.append(6)
                case "g": shifts.append(3)
                case "o": shifts.append(0)
                case "a": shifts += [6, 3, 0]
                default: return nil
                }
            }
            if shifts.isEmpty { return nil }
            var bits: mode_t = 0
            for c in what {
                switch c {
                case "r": bits |= 4
                case "w": bits |= 2
                case "x": bits |= 1
                default: return nil
                }
            }
            for s in shifts { mode = (mode & ~(7 << s)) | (bits << s) }
        }
        return mode
    }

    static func octal(_ m: mode_t) -> String {
        let s = String(m, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// Puppet's rule for directories: wherever a class can read, it can also search.
    static func forDirectory(_ m: mode_t) -> mode_t {
        var d = m
        for shift: mode_t in [6, 3, 0] where m & (4 << shift) != 0 { d |= 1 << shift }
        return d
    }
}
