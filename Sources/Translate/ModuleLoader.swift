import PuppetParser

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds classes, defines and functions on the modulepath the way Puppet autoloads them:
/// `mod` → `mod/manifests/init.pp`, `mod::a::b` → `mod/manifests/a/b.pp`,
/// function `mod::f` → `mod/functions/f.pp`; and files and templates for `file()` and `epp()`.
final class ModuleLoader {
    let modulePath: [String]
    /// Files already loaded (a file is parsed once even if it defines nothing asked for), and
    /// files and templates read by file() and epp().
    var loaded: Set<String> = []

    init(modulePath: [String]) {
        self.modulePath = modulePath
    }

    func candidates(_ name: String, dir: String) -> [String] {
        let parts = name.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        guard let module = parts.first else { return [] }
        let rest = parts.dropFirst()
        return modulePath.map { base in
            if rest.isEmpty { return "\(base)/\(module)/\(dir)/init.pp" }
            return "\(base)/\(module)/\(dir)/" + rest.joined(separator: "/") + ".pp"
        }
    }

    /// Loads the file that should define class or define `name`; true if one was loaded.
    func load(_ name: String, into compiler: Compiler) throws -> Bool {
        try loadFirst(candidates(name, dir: "manifests"), into: compiler)
    }

    /// Type alias `Mod::A::B` → `<modulepath>/mod/types/a/b.pp`.
    func loadTypeAlias(_ name: String, into compiler: Compiler) throws -> Bool {
        guard name.containsDoubleColon else { return false }
        return try loadFirst(candidates(name.lowercased(), dir: "types"), into: compiler)
    }

    func loadFunction(_ name: String, into compiler: Compiler) throws -> Bool {
        guard name.containsDoubleColon else { return false }
        return try loadFirst(candidates(name, dir: "functions"), into: compiler)
    }

    func loadFirst(_ paths: [String], into compiler: Compiler) throws -> Bool {
        for path in paths {
            if loaded.contains(path) { continue }
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            loaded.insert(path)
            let file = SourceFile(path: path, bytes: [UInt8](data))
            let program = Parser.parse(file)
            if let first = program.diagnostics.first(where: { $0.severity == .error }) {
                throw CompileError(first.message, file: file, offset: first.offset)
            }
            compiler.register(program.body, file: file, topLevel: false)
            try compiler.checkParameterTypes()
            return true
        }
        return false
    }

    static func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The module a manifest belongs to (`<modulepath>/<mod>/manifests/...`), or "".
    func moduleName(of path: String) -> String {
        for base in modulePath {
            let prefix = base.hasSuffix("/") ? base : base + "/"
            guard path.hasPrefix(prefix) else { continue }
            let rest = path.dropFirst(prefix.count).split(separator: "/")
            if rest.count >= 2, rest[1] == "manifests" { return String(rest[0]) }
        }
        return ""
    }

    /// `mod/x` → `<modulepath>/mod/<kind>/x` (kind: files or templates); absolute paths as is.
    func readFile(_ reference: String, kind: String) throws -> String? {
        if reference.hasPrefix("/") {
            let text = FileManager.default.contents(atPath: reference).map { String(decoding: $0, as: UTF8.self) }
            if text != nil { loaded.insert(reference) }
            return text
        }
        let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        for base in modulePath {
            let path = "\(base)/\(parts[0])/\(kind)/\(parts[1])"
            if let data = FileManager.default.contents(atPath: path) {
                loaded.insert(path)
                return String(decoding: data, as: UTF8.self)
            }
        }
        return nil
    }
}
