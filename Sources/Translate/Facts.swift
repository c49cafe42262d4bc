#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Facts: discovered from this host (the common core facts, in `facter -j`'s shape), the fixed
/// set the oracle script uses, or read from `--facts FILE` (JSON or YAML-ish `key: value`).
public enum Facts {
    /// The facts `../shared/tools/puppet-catalog-json.rb` compiles with (its STATIC_FACTS).
    public static func oracle(certname: String) -> [String: Value] {
        let h = { (pairs: [(String, Value)]) in Value.hash(OrderedHash(pairs.map { (.string($0.0), $0.1) })) }
        return [
            "kernel": .string("Linux"), "osfamily": .string("Debian"), "operatingsystem": .string("Debian"),
            "os": h([("family", .string("Debian")), ("name", .string("Debian")),
                     ("release", h([("major", .string("12")), ("full", .string("12.0"))]))]),
            "hostname": .string("oracle"), "fqdn": .string(certname), "domain": .string("example.com"),
            "networking": h([("hostname", .string("oracle")), ("fqdn", .string(certname)), ("domain", .string("example.com"))]),
            "path": .string("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ]
    }

    /// This host: hostname, fqdn, domain, os (family/name/release), kernel, architecture,
    /// processor count, memory, primary IP, path.
    public static func discover() -> [String: Value] {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let fullHost = String(cString: name)
        var hostname = String(fullHost.split(separator: ".").first ?? "localhost")
        var domain = fullHost.split(separator: ".").dropFirst().joined(separator: ".")
        if domain.isEmpty, let resolv = read("/etc/resolv.conf") {
            for line in resolv.split(separator: "\n") where line.hasPrefix("domain ") || line.hasPrefix("search ") {
                domain = String(line.split(separator: " ").dropFirst().first ?? "")
                break
            }
        }
        if hostname.isEmpty { hostname = "localhost" }
        let fqdn = domain.isEmpty ? hostname : "\(hostname).\(domain)"
        var os: [String: String] = [:]
        for line in (read("/etc/os-release") ?? "").split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { os[kv[0]] = kv[1].trimmingCharacters(in: "\"") }
        }
        let osName = (os["ID"] ?? "linux").capitalizedFirst
        let family: String = {
            let like = (os["ID_LIKE"] ?? "") + " " + (os["ID"] ?? "")
            if like.contains("debian") || like.contains("ubuntu") { return "Debian" }
            if like.contains("rhel") || like.contains("fedora") || like.contains("centos") { return "RedHat" }
            if like.contains("suse") { return "Suse" }
            return osName
        }()
        let full = os["VERSION_ID"] ?? (read("/etc/debian_version")?.trimmingCharacters(in: "\n") ?? "")
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafePointer(to: &uts.sysname) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        let release = withUnsafePointer(to: &uts.release) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        let machine = withUnsafePointer(to: &uts.machine) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        let arch = machine == "x86_64" ? "amd64" : (machine == "aarch64" ? "arm64" : machine)
        let processors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var memTotal = 0
        for line in (read("/proc/meminfo") ?? "").split(separator: "\n") where line.hasPrefix("MemTotal:") {
            memTotal = (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        let ip = primaryIPv4() ?? "127.0.0.1"
        let h = { (pairs: [(String, Value)]) in Value.hash(OrderedHash(pairs.map { (.string($0.0), $0.1) })) }
        let major = String(full.split(separator: ".").first ?? "")
        return [
            "hostname": .string(hostname), "fqdn": .string(fqdn), "domain": .string(domain),
            "networking": h([("hostname", .string(hostname)), ("fqdn", .string(fqdn)), ("domain", .string(domain)), ("ip", .string(ip))]),
            "ipaddress": .string(ip),
            "os": h([("family", .string(family)), ("name", .string(osName)), ("architecture", .string(arch)),
                     ("release", h([("major", .string(major)), ("full", .string(full))]))]),
            "osfamily": .string(family), "operatingsystem": .string(osName), "operatingsystemrelease": .string(full),
            "operatingsystemmajrelease": .string(major),
            "kernel": .string(kernel), "kernelrelease": .string(release), "architecture": .string(arch),
            "processors": h([("count", .integer(processors))]), "processorcount": .integer(processors),
            "memory": h([("system", h([("total_bytes", .integer(memTotal))]))]),
            "path": .string(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"),
        ]
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func primaryIPv4() -> String? {
        var addrs: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&addrs) == 0, let first = addrs else { return nil }
        defer { freeifaddrs(addrs) }
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let cur = p {
            defer { p = cur.pointee.ifa_next }
            guard let sa = cur.pointee.ifa_addr, sa.pointee.sa_family == UInt16(AF_INET) else { continue }
            let name = String(cString: cur.pointee.ifa_name)
            if name == "lo" { continue }
            var buf = [CChar](repeating: 0, count: 64)
            sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var addr = sin.pointee.sin_addr
                _ = inet_ntop(AF_INET, &addr, &buf, 64)
            }
            return String(cString: buf)
        }
        return nil
    }

    /// Facts from a `facter -j`-shaped JSON file, or a flat/nested YAML file of `key: value`
    /// lines (YAML support covers what `facter --yaml` prints for scalars and nested maps).
    public static func load(path: String) throws -> [String: Value] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CompileError("\(path): cannot read facts file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: " \n\t\r")
        if trimmed.hasPrefix("{") {
            let v = try JSONText.parse(text, path: path)
            guard case let .hash(h) = v else { throw CompileError("\(path): facts must be a JSON object") }
            var out: [String: Value] = [:]
            for (k, x) in h.pairs { out[k.interpolated] = x }
            return out
        }
        return try SimpleYAML.parseMap(text, path: path)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A small YAML reader for facts files: nested maps by indentation, scalars, `- ` lists.
enum SimpleYAML {
    static func parseMap(_ text: String, path: String) throws -> [String: Value] {
        var lines: [(Int, String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            if line.trimmingBlanks().isEmpty || line.trimmingBlanks().hasPrefix("#") || line.hasPrefix("---") { continue }
            let indent = line.prefix { $0 == " " }.count
            lines.append((indent, String(line.dropFirst(indent))))
        }
        var i = 0
        func block(_ indent: Int) throws -> Value {
            if i < lines.count, lines[i].1.hasPrefix("- ") {
                var items: [Value] = []
                while i < lines.count, lines[i].0 == indent, lines[i].1.hasPrefix("- ") {
                    items.append(scalar(String(lines[i].1.dropFirst(2))))
                    i += 1
                }
                return .array(items)
            }
            var h = OrderedHash()
            while i < lines.count, lines[i].0 == indent {
                let line = lines[i].1
                guard let colon = line.firstIndex(of: ":") else { throw CompileError("\(path): cannot read YAML line '\(line)'") }
                let key = String(line[..<colon]).trimmingCharacters(in: "\"' ")
                let rest = String(line[line.index(after: colon)...]).trimmingBlanks()
                i += 1
                if rest.isEmpty, i < lines.count, lines[i].0 > indent {
                    h[.string(key)] = try block(lines[i].0)
                } else {
                    h[.string(key)] = scalar(rest)
                }
            }
            return .hash(h)
        }
        guard case let .hash(h) = try block(lines.first?.0 ?? 0) else { return [:] }
        var out: [String: Value] = [:]
        for (k, v) in h.pairs { out[k.interpolated] = v }
        return out
    }

    static func scalar(_ s: String) -> Value {
        if s.hasPrefix("\""), s.hasSuffix("\""), s.count >= 2 { return .string(String(s.dropFirst().dropLast())) }
        if s.hasPrefix("'"), s.hasSuffix("'"), s.count >= 2 { return .string(String(s.dropFirst().dropLast())) }
        if s == "true" { return .boolean(true) }
        if s == "false" { return .boolean(false) }
        if s == "~" || s == "null" { return .undef }
        if let i = Int(s) { return .integer(i) }
        if let f = Double(s), s.contains(".") { return .float(f) }
        return .string(s)
    }
}
