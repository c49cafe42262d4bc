import Graph
#if canImport(Glibc)
import Glibc
#endif

/// A command, after mgmt's exec with Puppet's guards: it runs when checked (at start, on its
/// watch command's output, after an upstream change) unless a guard says it is done —
/// `creates` exists, `ifcmd` (onlyif) fails, `nifcmd` (unless) succeeds — and with
/// `refreshonly` only when refreshed. Unlike mgmt HEAD, a refresh over a `notify: true` edge
/// re-runs it (Puppet's subscribe/notify idiom).
struct ExecResource: EngineResource {
    let ref: Ref
    let cmd: CommandSpec
    let ifcmd: CommandSpec?
    let nifcmd: CommandSpec?
    let watchcmd: CommandSpec?
    let creates: String?
    let refreshonly: Bool
    let returns: [Int32]

    init(_ r: Resource) throws {
        var p = Params(r)
        guard let command = try p.string("cmd"), !command.allSatisfy(\.isWhitespace) else {
            throw p.error(nil, "'cmd' is required")
        }
        let shell = try p.string("shell") ?? ""
        let cwd = try p.string("cwd")
        let env = try p.stringMap("env")
        let path = try p.strings("path")
        let user = try p.string("user"), group = try p.string("group")
        func line(_ c: String, shell: String, cwd: String?) -> CommandSpec {
            CommandSpec(command: c, shell: shell, cwd: cwd, env: env, searchPath: path, user: user, group: group)
        }
        /// A guard or watch command (`ifcmd`, …) with its own shell and cwd, else the main ones.
        func secondary(_ prefix: String) throws -> CommandSpec? {
            let command = try p.string(prefix + "cmd")
            let ownShell = try p.string(prefix + "shell"), ownCwd = try p.string(prefix + "cwd")
            guard let command, !command.isEmpty else { return nil }
            return line(command, shell: ownShell ?? shell, cwd: ownCwd ?? cwd)
        }
        cmd = line(command, shell: shell, cwd: cwd)
        ifcmd = try secondary("if")
        nifcmd = try secondary("nif")
        watchcmd = try secondary("watch")
        creates = try p.string("creates").flatMap { $0.isEmpty ? nil : $0 }
        refreshonly = try p.bool("refreshonly") ?? false
        returns = (try p.ints("returns") ?? [0]).map(Int32.init)
        // Keys of mgmt's 0.0.x exec that its examples still carry; they have no effect there.
        if let state = try p.string("state"), state != "present" { throw p.error("state", "'state' is unused; only 'present' is accepted") }
        if let poll = try p.int("pollint"), poll != 0 { throw p.error("pollint", "'pollint' is unused; use meta: {poll: N}") }
        if let t = try p.int("timeout"), t != 0 { throw p.error("timeout", "'timeout' moved to meta: {timeout: MILLISECONDS}") }
        try p.finish()
        ref = r.ref
        if let creates, !creates.hasPrefix("/") { throw p.error("creates", "'creates' must be an absolute path") }
        if let cwd, !cwd.hasPrefix("/") { throw p.error("cwd", "'cwd' must be an absolute path") }
        for c in [cmd, ifcmd, nifcmd, watchcmd].compactMap({ $0 }) where c.shell.isEmpty {
            let program = c.argv.first ?? ""
            if !program.hasPrefix("/") && path == nil && env?["PATH"] == nil {
                throw p.error(c == cmd ? "cmd" : nil, "'\(program)' is not an absolute path; give its full path or a 'path'")
            }
        }
    }

    /// The directory it runs in and the programs it runs, when the graph manages them.
    var autoEdges: [AutoEdgeWant] {
        var wants: [ResourceUID] = []
        if let cwd = cmd.cwd { wants.append(.file(cwd.hasSuffix("/") ? cwd : cwd + "/")) }
        for c in [cmd, ifcmd, nifcmd, watchcmd].compactMap({ $0 }) {
            if let program = c.argv.first, program.hasPrefix("/") { wants.append(.file(program)) }
        }
        return wants.isEmpty ? [] : [AutoEdgeWant(uids: wants, firstMatchOnly: false, reversed: true)]
    }

    /// Every non-empty line the watch command prints is an event; its exit is an error.
    func watch(_ events: WatchEvents) async throws {
        guard let watchcmd else { return }
        let child = try ChildProcess(watchcmd)
        let status = await child.lines { line in
            if !line.allSatisfy(\.isWhitespace) { events.changed() }
        }
        if Task.isCancelled { return }
        throw CommandError(description: "watch command '\(watchcmd.command)' exited with status \(status)")
    }

    func checkApply(_ context: ApplyContext) async throws -> Bool {
        if refreshonly && !context.refresh { return true }
        if let creates, FS.info(creates).kind != .missing { return true }
        if let ifcmd {
            let (status, _) = try await runCommand(ifcmd)
            if status != 0 { return true }
        }
        if let nifcmd {
            let (status, _) = try await runCommand(nifcmd)
            if status == 0 { return true }
        }
        let why = context.refresh ? " (refresh)" : ""
        guard context.apply else {
            context.log("would run '\(cmd.command)'\(why)")
            return false
        }
        let (status, output) = try await runCommand(cmd)
        guard returns.contains(status) else {
            let tail = output.split(separator: "\n").suffix(5).joined(separator: "\n    ")
            throw CommandError(description: "'\(cmd.command)' exited with status \(status)" + (tail.isEmpty ? "" : ":\n    " + tail))
        }
        context.log("ran '\(cmd.command)'\(why)" + (status == 0 ? "" : " (status \(status))"))
        return false
    }
}
