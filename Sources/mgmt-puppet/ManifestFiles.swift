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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): error: cannot read file")
        }
        return SourceFile(path: path, bytes: [UInt8](data))
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
