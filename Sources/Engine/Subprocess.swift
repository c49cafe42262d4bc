import Graph
import CSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How to start a command: mgmt's rule — with an empty `shell` the command is split on
/// whitespace and run directly (no quoting); otherwise `shell -c command`.
public struct CommandSpec: Sendable, Equatable {
    public var command: String
    public var shell: String = ""
    public var cwd: String?
    public var env: [String: String]?
    /// Directories searched for a bare program name (Puppet's `path`); else `PATH`.
    public var searchPath: [String]?
    public var user: String?
    public var group: String?

    public init(command: String, shell: String = "", cwd: String? = nil, env: [String: String]? = nil,
                searchPath: [String]? = nil, user: String? = nil, group: String? = nil) {
        self.command = command
        self.shell = shell
        self.cwd = cwd
        self.env = env
        self.searchPath = searchPath
        self.user = user
        self.group = group
    }

    /// The program and its arguments.
    public var argv: [String] {
        shell.isEmpty ? command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
            : [shell, "-c", command]
    }

    /// The absolute path of the program, if it can be found.
    public func resolvedProgram() -> String? {
        guard let program = argv.first else { return nil }
        if program.hasPrefix("/") { return program }
        if program.contains("/") { return nil }
        let dirs = searchPath ?? (env?["PATH"] ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for dir in dirs where access(dir + "/" + program, X_OK) == 0 { return dir + "/" + program }
        return nil
    }
}

public struct CommandError: Error, CustomStringConvertible {
    public let description: String
}

/// Every process group we started and have not reaped, so a second SIGINT (or exit) can kill
/// them all: no child is left behind.
public enum ChildProcesses {
    static let groups = Mutex(Set<pid_t>())

    public static func killAll(signal sig: Int32 = SIGKILL) {
        for pid in groups.withLock({ $0 }) { kill(-pid, sig) }
    }
    public static var running: Int { groups.withLock { $0.count } }
}

/// One started command. Output is read and the process reaped on a dedicated thread.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    let outRead: Int32

    /// Starts the command with stdout and stderr on one pipe (`outRead`).
    public init(_ cl: CommandSpec) throws {
        guard let program = cl.resolvedProgram() else {
            throw CommandError(description: "cannot find '\(cl.argv.first ?? "")'" +
                (cl.searchPath.map { " in path \($0.joined(separator: ":"))" } ?? " (give an absolute path or a path)"))
        }
        var uid = -1, gid = -1
        if let user = cl.user {
            guard let id = Self.userID(user) else { throw CommandError(description: "no such user '\(user)'") }
            uid = id.uid
            if cl.group == nil { gid = id.gid }
        }
        if let group = cl.group {
            guard let g = Self.groupID(group) else { throw CommandError(description: "no such group '\(group)'") }
            gid = g
        }
        var fds: [Int32] = [0, 0]
        guard cspawn_pipe(&fds) == 0 else { throw CommandError(description: "pipe: \(String(cString: strerror(errno)))") }
        let args = [program] + cl.argv.dropFirst()
        var envList: [String]?
        if let env = cl.env {
            var merged: [String: String] = [:]
            var e = environ
            while let p = e.pointee {
                let kv = String(cString: p)
                if let eq = kv.firstIndex(of: "=") { merged[String(kv[..<eq])] = String(kv[kv.index(after: eq)...]) }
                e += 1
            }
            for (k, v) in env { merged[k] = v }
            envList = merged.map { $0.key + "=" + $0.value }.sorted()
        }
        let pid = Self.withCStrings(args) { argv in
            Self.withOptionalCStrings(envList) { envp in
                cspawn(argv, envp, cl.cwd, uid, gid, fds[1], fds[1])
            }
        }
        close(fds[1])
        if pid < 0 {
            close(fds[0])
            throw CommandError(description: "cannot run '\(program)': \(String(cString: strerror(-pid)))" +
                (-pid == ENOENT && cl.cwd != nil ? " (or its cwd \(cl.cwd!) is missing)" : ""))
        }
        self.pid = pid
        self.outRead = fds[0]
        _ = ChildProcesses.groups.withLock { $0.insert(pid) }
    }

    /// Waits for the process, collecting its output; cancelling the task kills its process group.
    /// Output written after the process exited (by something it left running in the background
    /// that still holds the pipe) is not waited for beyond a short grace.
    public func output() async -> (status: Int32, output: String) {
        let (pid, fd) = (self.pid, outRead)
        let collected = OutputBuffer()
        detachThread {
            var buf = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = read(fd, &buf, buf.count)
                if n > 0 { collected.append(buf[0..<n]) }
                else if n < 0 && errno == EINTR { continue }
                else { break }
            }
            close(fd)
            collected.finish()
        }
        let status = await withTaskCancellationHandler {
            await onThread { Self.reap(pid) }
        } onCancel: {
            kill(-pid, SIGKILL)
        }
        for _ in 0..<40 where !collected.isFinished { try? await Task.sleep(for: .milliseconds(5)) }
        return (status, collected.text)
    }

    /// Calls `line` for every line of output until the process exits; returns its status.
    /// Cancelling kills the process group.
    public func lines(_ line: @escaping @Sendable (String) -> Void) async -> Int32 {
        let (pid, fd) = (self.pid, outRead)
        return await withTaskCancellationHandler {
            await onThread {
                var pending: [UInt8] = []
                var buf = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(fd, &buf, buf.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    pending += buf[0..<n]
                    while let nl = pending.firstIndex(of: 10) {
                        line(String(decoding: pending[..<nl], as: UTF8.self))
                        pending.removeSubrange(...nl)
                    }
                }
                if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
                close(fd)
                return Self.reap(pid)
            }
        } onCancel: {
            kill(-pid, SIGKILL)
        }
    }

    /// Waits for the process; returns the exit status (128+N for a signal). What it started in
    /// the background is left alone, as Puppet does (a daemon it launched keeps running).
    static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        _ = ChildProcesses.groups.withLock { $0.remove(pid) }
        let sig = status & 0x7f
        return sig == 0 ? (status >> 8) & 0xff : 128 + sig
    }

    static func userID(_ name: String) -> (uid: Int, gid: Int)? {
        if let n = Int(name) { return (n, Int(getpwuid(uid_t(n))?.pointee.pw_gid ?? gid_t(n))) }
        guard let pw = getpwnam(name) else { return nil }
        return (Int(pw.pointee.pw_uid), Int(pw.pointee.pw_gid))
    }

    static func groupID(_ name: String) -> Int? {
        if let n = Int(name) { return n }
        return getgrnam(name).map { Int($0.pointee.gr_gid) }
    }

    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let ptrs = strings.map { UnsafePointer(strdup($0)) } + [nil]
        defer { for p in ptrs { free(UnsafeMutablePointer(mutating: p)) } }
        return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func withOptionalCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        guard let strings else { return body(nil) }
        return withCStrings(strings) { body($0) }
    }
}

/// Output collected by a reader thread (the last MiB is kept).
final class OutputBuffer: Sendable {
    let state = Mutex((data: [UInt8](), done: false))
    func append(_ bytes: ArraySlice<UInt8>) {
        state.withLock {
            $0.data += bytes
            if $0.data.count > 1 << 20 { $0.data.removeFirst($0.data.count - (1 << 20)) }
        }
    }
    func finish() { state.withLock { $0.done = true } }
    var isFinished: Bool { state.withLock { $0.done } }
    var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }
}

/// Runs a command to completion: its exit status and output.
public func runCommand(_ cl: CommandSpec) async throws -> (status: Int32, output: String) {
    try await ChildProcess(cl).output()
}
