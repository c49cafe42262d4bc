// swift-tools-version:5.10
import PackageDescription

/// The compile-path modules skip the run-time exclusivity checks (the compiler still checks
/// exclusivity statically): in the 10k compile the dynamic checks cost ~4 % of instructions.
/// Bounds and overflow checks stay on.
///
/// And they are built without lexical lifetimes: a value may be released after its last use
/// instead of at the end of its scope, as Swift's rules allow (the rule these modules keep:
/// memory reached through a raw pointer is used only inside a `withUnsafe…` call, or while its
/// owner is used afterwards). That lets the optimizer drop about a fifth of the retains and
/// releases — atomic operations, most of the evaluator's time — and takes ~9 % off a 10k
/// translate (490 → 471 M instructions). The engine keeps the default.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked", "-Xfrontend", "-enable-lexical-lifetimes=false"])]

let package = Package(
    name: "mgmt-puppet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mgmt-puppet", targets: ["mgmt-puppet"]),
        .library(name: "PuppetParser", targets: ["PuppetParser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // Lexer, parser, AST with source ranges, diagnostics, S-expression dumper. No dependencies.
        .target(name: "PuppetParser", swiftSettings: fast),
        // The command-line tool: one file per subcommand.
        // The mgmt graph model and its YAML codec: the one contract between Translate and Engine.
        .target(name: "Graph", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: fast),
        // Evaluator: parsed manifests → catalog → mgmt graph.
        .target(name: "Translate", dependencies: ["PuppetParser", "Graph"], swiftSettings: fast),
        // fork/exec with a new process group, directory and user (posix_spawn cannot).
        .target(name: "CSystem"),
        // The event-driven engine: resources (one file each), scheduler, inotify, autoedges, World.
        .target(name: "Engine", dependencies: ["Graph", "CSystem"]),
        .executableTarget(
            name: "mgmt-puppet",
            dependencies: [
                "CSystem",
                "PuppetParser",
                "Translate",
                "Graph",
                "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // libFuzzer entry point for the parser (scripts/fuzz-parser.sh builds it with
        // -sanitize=fuzzer); built normally it is a reproducer that parses the files it is given.
        .executableTarget(name: "PuppetParserFuzz", dependencies: ["PuppetParser"]),
        // libFuzzer entry point for the graph loader (scripts/fuzz-yaml.sh); built normally, a
        // reproducer that loads the files it is given.
        .executableTarget(name: "GraphFuzz", dependencies: ["Graph", "Engine"]),
        .testTarget(name: "PuppetParserTests", dependencies: ["PuppetParser"]),
        .testTarget(name: "TranslateTests", dependencies: ["Translate", "PuppetParser", "Graph"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Graph"]),
    ]
)
