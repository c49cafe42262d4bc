#if canImport(FoundationEssentials)
import FoundationEssentials  // not all of Foundation: no ICU to load at start-up
#else
import Foundation
#endif
import PuppetParser

/// Reading manifests from the command line: files, and directories searched for `*.pp`.
enum ManifestFiles {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Every `.pp` file named or found below the named directories, in a stable order.
    static func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw ReadError(description: "\(path): error: no such file or directory")
            }
            if isDir {
                guard let subpaths = try? fm.subpathsOfDirectory(atPath: path) else {
                    throw ReadError(description: "\(path): error: cannot read directory")
                }
                let base = path.hasSuffix("/") ? path : path + "/"
                out += subpaths.filter { $0.hasSuffix(".pp") }.sorted().map { base + $0 }
            } else {
                out.append(path)
            }
        }
        return out
    }

    static func load(_ path: String) throws -> SourceFile {
        guard let bytes = readWholeFile(path) else {
            throw ReadError(description: "\(path): error: cannot read file")
        }
        return SourceFile(path: path, bytes: bytes)
    }

    /// The file's bytes, read straight into the array (not into a `Data` and then copied: a
    /// large manifest's pages were faulted in twice). Nil when it cannot be read (a directory,
    /// a missing file); pipes and other files of unknown size are read to their end.
    static func readWholeFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
        var bytes: [UInt8] = []
        var capacity = max(size + 1, 1 << 16)
        while true {
            var failed = false
            // Room for the rest (one more byte than the size: the read that returns 0 ends it).
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                var n = 0
                while n < buf.count {
                    let got = read(fd, buf.baseAddress! + n, buf.count - n)
                    if got < 0 && errno == EINTR { continue }
                    if got < 0 { failed = true; break }
                    if got == 0 { break }
                    n += got
                }
                count = n
            }
            if failed { return nil }
            // (The first chunk is the usual whole file: taken as it is, not copied.)
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
            if chunk.count < capacity { return bytes }
            capacity *= 2
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a line to standard error.
func printError(_ s: String) {
    fputs(s + "\n", stderr)
}
