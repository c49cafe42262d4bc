/// The syntax tree, after Puppet's Pops model (lib/puppet/pops/model), so that its expression kinds
/// and the S-expression dump line up with Puppet's parser tests. Every node knows its byte range;
/// `Program.file` resolves ranges to lines and columns.
public final class Expr: @unchecked Sendable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The cases with more than 25 bytes of payload are `indirect` (boxed): a case's inline
    /// size is the largest payload's, and with them inline every node took 96 bytes of heap
    /// instead of 64 (a 10k-resource manifest makes ~100k nodes, all of them fresh memory).
    public enum Kind {
        // Literals
        case string(String)
        case integer(Int, radix: Int)
        case float(Double)
        case boolean(Bool)
        case undef
        case defaultLiteral
        case regex(String)
        /// A bare word: `foo`, `foo::bar`, `foo-bar` (a string in value position).
        case name(String)
        /// A capitalised type reference, `File`, `Apache::Vhost` (cased as written).
        case reference(String)
        /// `private`, `attr`: reserved words in value position.
        case reservedWord(String)
        case variable(String)
        /// A double-quoted string with interpolation: literal strings and `.text` segments.
        case concatenated([Expr])
        /// An interpolated expression inside a string: `${expr}`.
        case text(Expr)
        indirect case heredoc(syntax: String, text: Expr)
        case list([Expr])
        case hash([KeyedEntry])
        case parenthesized(Expr)

        // Operators
        case access(Expr, [Expr])
        /// `lhs.name`, always the functor of a method call.
        case namedAccess(Expr, Expr)
        case binary(BinaryOperator, Expr, Expr)
        case not(Expr)
        case unaryMinus(Expr)
        case unfold(Expr)
        case assignment(AssignmentOperator, Expr, Expr)
        case relationship(RelationshipOperator, Expr, Expr)
        case selector(Expr, [SelectorEntry])

        // Control flow
        case ifExpr(test: Expr, then: Expr?, else: Expr?)
        case unlessExpr(test: Expr, then: Expr?, else: Expr?)
        case caseExpr(test: Expr, options: [CaseOption])
        case block([Expr])
        case nop

        // Calls
        /// `f(args)`, `f args` (statement form); `statement` is Puppet's `!rval_required`.
        case call(functor: Expr, arguments: [Expr], lambda: Expr?, statement: Bool)
        /// `x.f(args)`; the functor is a `namedAccess`.
        case callMethod(functor: Expr, arguments: [Expr], lambda: Expr?, statement: Bool)
        case lambda(parameters: [Parameter], returnType: Expr?, body: Expr?)

        // Catalog expressions
        case resource(form: ResourceForm, type: Expr, bodies: [ResourceBody])
        case resourceDefaults(form: ResourceForm, type: Expr, operations: [AttributeOperation])
        case resourceOverride(form: ResourceForm, resources: Expr, operations: [AttributeOperation])
        indirect case collect(type: Expr, query: CollectQuery, operations: [AttributeOperation])

        // Definitions
        indirect case classDefinition(name: String, parent: String?, parameters: [Parameter], body: Expr?)
        indirect case defineDefinition(name: String, parameters: [Parameter], body: Expr?)
        /// `parent` is the removed `node a inherits b` form, kept so that it can be reported.
        case nodeDefinition(matches: [Expr], parent: Expr?, body: Expr?)
        indirect case functionDefinition(name: String, parameters: [Parameter], returnType: Expr?, body: Expr?)
        indirect case typeAlias(name: String, type: Expr)
    }
}

public enum BinaryOperator: String, Sendable {
    case plus = "+", minus = "-", times = "*", divide = "/", modulo = "%", leftShift = "<<", rightShift = ">>"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case matches = "=~", notMatches = "!~"
    case `in` = "in", and = "and", or = "or"
}

public enum AssignmentOperator: String, Sendable { case assign = "=", append = "+=", delete = "-=" }

/// `->` before, `~>` notify, `<-` require, `<~` subscribe.
public enum RelationshipOperator: String, Sendable { case before = "->", notify = "~>", require = "<-", subscribe = "<~" }

public enum ResourceForm: String, Sendable { case regular, virtual, exported }

public struct KeyedEntry {
    public let key: Expr
    public let value: Expr
}

public struct SelectorEntry {
    public let match: Expr
    public let value: Expr
}

public struct CaseOption {
    public let values: [Expr]
    public let then: Expr?
    public let range: SourceRange
}

public struct Parameter {
    public let name: String
    public let type: Expr?
    public let value: Expr?
    public let capturesRest: Bool
    public let range: SourceRange
}

public struct ResourceBody {
    public let title: Expr
    public let operations: [AttributeOperation]
    public let range: SourceRange
}

/// `name => value`, `name +> value`, or the splat `* => hash` (`name == "*"`).
public struct AttributeOperation {
    public enum Operator: String, Sendable { case set = "=>", append = "+>" }
    public let name: String
    public let op: Operator
    public let value: Expr
    public let isSplat: Bool
    public let range: SourceRange
}

public struct CollectQuery {
    public let exported: Bool
    public let expr: Expr?
    public let range: SourceRange
}

/// A parsed file: its body (one expression, a block, or nothing) and the diagnostics found.
public struct Program {
    public let file: SourceFile
    public let body: Expr?
    public let diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
