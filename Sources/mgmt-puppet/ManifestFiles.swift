import Foundation
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
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw ReadError(description: "\(path): error: no such file or directory")
            }
            if isDir.boolValue {
                guard let walker = fm.enumerator(atPath: path) else {
                    throw ReadError(description: "\(path): error: cannot read directory")
                }
                var found: [String] = []
                while let rel = walker.nextObject() as? String {
                    if rel.hasSuffix(".pp") { found.append((path as NSString).appendingPathComponent(rel)) }
                }
                out += found.sorted()
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

/// Writes to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write((s + "\n").data(using: .utf8)!)
}
