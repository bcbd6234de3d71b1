// swift-tools-version:6.1
//
// ProverNet node. Dependencies point one way:
//   C shims → Keccak → Primitives → RLP / ABI / Secp256k1 → Transactions → (state machine, RPC) → CLI
//   JSON (no dependencies) → RPC, CLI
//   CLevelDB → Storage
import PackageDescription

let package = Package(
    name: "ProverNet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "provernet", targets: ["provernet"]),
        .library(name: "Primitives", targets: ["Primitives"]),
        .library(name: "Transactions", targets: ["Transactions"]),
        .library(name: "Storage", targets: ["Storage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries from Debian
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // MARK: Primitives
        .target(name: "Keccak"),
        .target(name: "JSON"),
        .target(name: "Hashing", dependencies: ["COpenSSL"]),
        .target(name: "Primitives", dependencies: ["Keccak"]),
        .target(name: "RLP", dependencies: ["Primitives"]),
        .target(name: "ABI", dependencies: ["Primitives", "Keccak"]),
        .target(name: "Secp256k1", dependencies: ["CSecp256k1", "Primitives", "Keccak"]),
        .target(name: "Transactions", dependencies: ["Primitives", "RLP", "Keccak", "Secp256k1"]),

        // MARK: Storage
        .target(name: "Storage", dependencies: ["CLevelDB"]),

        // MARK: State machine
        .target(name: "StateTree", dependencies: ["Primitives", "Keccak"]),
        .target(name: "Chain", dependencies: [
            "Primitives", "Keccak", "RLP", "ABI", "Secp256k1", "Transactions", "Storage", "StateTree",
        ]),

        .target(name: "Keystore", dependencies: ["COpenSSL", "Keccak", "Primitives", "Secp256k1"],
                // scrypt's ROMix is too slow unoptimised for the test vectors (N = 2^18).
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "SystemContracts", dependencies: ["Chain", "ABI", "JSON", "Primitives", "RLP", "Keccak", "RISCV", "Storage"]),
        .target(name: "TxPool", dependencies: ["Primitives", "Transactions"]),
        .target(name: "Node", dependencies: ["Chain", "TxPool", "Storage", "Primitives", "Secp256k1", "Transactions"]),

        // MARK: JSON-RPC: transport (SwiftNIO) and the eth_/net_/web3_ methods over the node
        .target(name: "RPC", dependencies: [
            "JSON", "Primitives", "Keccak", "Secp256k1", "Transactions", "Chain", "TxPool", "Node", "Storage",
            "SystemContracts", "RISCV",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: zkVM: RISC-V executor, then the STARK proof system over KoalaBear
        .target(name: "RISCV", dependencies: ["Keccak", "Primitives"]),
        .target(name: "KoalaBear"),
        .target(name: "STARK", dependencies: ["KoalaBear", "Hashing"]),
        // Benchmark reference only: the same NTT in plain C (-O2), for the `ntt` ratio.
        .target(name: "CNTTReference", cSettings: [.unsafeFlags(["-O2"])]),
        // Benchmark reference only: the example guests' C code (Tools/guest) built for the host, for `execute`.
        .target(name: "CGuestReference", cSettings: [.unsafeFlags(["-O2"])]),

        // MARK: Node, tools, CLI
        .target(name: "Benchmarks", dependencies: [
            "Keccak", "Hashing", "Primitives", "RLP", "Secp256k1", "Transactions", "CSecp256k1", "COpenSSL",
            "RISCV", "KoalaBear", "STARK", "Chain", "TxPool", "Node", "StateTree", "Storage",
            "CNTTReference", "CGuestReference", "SystemContracts",
        ]),
        .target(name: "ProverNetCLI", dependencies: [
            "Primitives", "Keccak", "RLP", "ABI", "Secp256k1", "Transactions", "Storage", "Benchmarks",
            "RISCV", "STARK", "Chain", "TxPool", "Node", "StateTree", "JSON", "RPC", "Keystore", "SystemContracts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "provernet", dependencies: ["ProverNetCLI"]),

        // MARK: Tests (mirror the modules)
        // Shared by the test targets: a seedable generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "RPCTests", dependencies: [
            "RPC", "JSON", "Chain", "Node", "TxPool", "Storage", "Transactions", "Secp256k1", "Primitives",
            "SystemContracts", "ABI", "Keccak", "RISCV", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        .testTarget(name: "KeccakTests", dependencies: ["Keccak", "Hashing"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["TestSupport", "Primitives"]),
        .testTarget(name: "RLPTests", dependencies: ["RLP", "Primitives"]),
        .testTarget(name: "ABITests", dependencies: ["TestSupport", "ABI", "Primitives"]),
        .testTarget(name: "Secp256k1Tests", dependencies: ["Secp256k1", "Primitives"]),
        .testTarget(name: "TransactionsTests", dependencies: ["Transactions", "Primitives", "RLP", "Secp256k1"]),
        .testTarget(name: "ChainTests", dependencies: ["Chain", "Storage", "Transactions", "Secp256k1", "Primitives", "StateTree"]),
        .testTarget(name: "SystemContractsTests", dependencies: ["TestSupport", "SystemContracts", "Chain", "ABI", "Storage", "Transactions", "Secp256k1", "Primitives"]),
        .testTarget(name: "KeystoreTests", dependencies: ["Keystore", "Secp256k1", "Primitives"]),
        .testTarget(name: "TxPoolTests", dependencies: ["TxPool", "Transactions", "Secp256k1", "Primitives"]),
        .testTarget(name: "StateTreeTests", dependencies: ["TestSupport", "StateTree", "Primitives"]),
        .testTarget(name: "StorageTests", dependencies: ["TestSupport", "Storage", "provernet"]),
        .testTarget(name: "ProverNetCLITests", dependencies: ["ProverNetCLI", "provernet"]),
        .testTarget(name: "RISCVTests", dependencies: ["TestSupport", "RISCV", "Keccak", "Hashing"]),
        .testTarget(name: "KoalaBearTests", dependencies: ["TestSupport", "KoalaBear"]),
        .testTarget(name: "STARKTests", dependencies: ["TestSupport", "STARK", "KoalaBear"]),
    ],
    swiftLanguageModes: [.v6]
)
