/// A path without its trailing slashes (`/` itself stays): how Puppet's file namevar and the
/// engine's watches name a directory. Works on UTF-8 bytes (`/` is one byte), so hot paths
/// walk no Characters.
public func trimmingTrailingSlashes(_ path: String) -> String {
    let bytes = path.utf8
    var end = bytes.endIndex
    while bytes.distance(from: bytes.startIndex, to: end) > 1 && bytes[bytes.index(before: end)] == UInt8(ascii: "/") {
        end = bytes.index(before: end)
    }
    return end == bytes.endIndex ? path : String(path[..<end])
}
