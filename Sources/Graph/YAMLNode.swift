import Yams

/// A composed YAML node as the graph decoder reads it: a scalar (and whether it was plain, which
/// decides its type), a sequence or a mapping, each with where it starts. Made from Yams's nodes,
/// or directly by FastYAMLReader for the block-style YAML most graphs are written in.
enum YAMLNode: Equatable {
    case scalar(String, plain: Bool, Position)
    case sequence([YAMLNode], Position)
    case mapping([Pair], Position)

    struct Pair: Equatable {
        var key: YAMLNode
        var value: YAMLNode
    }

    var position: Position {
        switch self {
        case let .scalar(_, _, p), let .sequence(_, p), let .mapping(_, p): return p
        }
    }

    /// The string of a scalar.
    var string: String? {
        if case let .scalar(s, _, _) = self { return s }
        return nil
    }

    init(_ node: Yams.Node) {
        let p = Position(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case let .scalar(s): self = .scalar(s.string, plain: s.style == .plain, p)
        case let .sequence(s): self = .sequence(s.map(YAMLNode.init), p)
        case let .mapping(m): self = .mapping(m.map { Pair(key: YAMLNode($0.key), value: YAMLNode($0.value)) }, p)
        }
    }
}
