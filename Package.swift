// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "mgmt-puppet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mgmt-puppet", targets: ["mgmt-puppet"]),
        .library(name: "PuppetParser", targets: ["PuppetParser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Lexer, parser, AST with source ranges, diagnostics, S-expression dumper. No dependencies.
        .target(name: "PuppetParser"),
        // The command-line tool: one file per subcommand.
        // Evaluator: parsed manifests → catalog (→ mgmt graph in a later issue).
        .target(name: "Translate", dependencies: ["PuppetParser"]),
        .executableTarget(
            name: "mgmt-puppet",
            dependencies: [
                "PuppetParser",
                "Translate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // libFuzzer entry point for the parser (scripts/fuzz-parser.sh builds it with
        // -sanitize=fuzzer); built normally it is a reproducer that parses the files it is given.
        .executableTarget(name: "PuppetParserFuzz", dependencies: ["PuppetParser"]),
        .testTarget(name: "PuppetParserTests", dependencies: ["PuppetParser"]),
        .testTarget(name: "TranslateTests", dependencies: ["Translate", "PuppetParser"]),
    ]
)
