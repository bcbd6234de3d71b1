// swift-tools-version:6.1
//
// ProverNet node. Dependencies point one way, layer by layer (listed at `targets` below and
// explained in docs/architecture.md); Tools/check_layers.py checks every import against them.
import PackageDescription

/// `-O` for a target in debug builds as well (hot numeric code the tests exercise heavily).
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

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
        // Layers (docs/architecture.md); a module depends only on modules of its own or a lower
        // layer, never on one above it:
        //   1 foundation    C shims, Locking, Keccak, Hashing, JSON, Primitives, RLP, ABI, Secp256k1,
        //                   Transactions, Keystore
        //   2 storage       Storage (key-value protocol: LevelDB, memory), StateTree
        //   3 state machine Chain (execution, commit, chain schema), SystemContracts, TxPool
        //   4 consensus     Consensus (the ABCI-shaped seam; proof of authority drives it)
        //   5 node          Node (bootstrap, sealer loop, committed-block feed)
        //   6 interfaces    RPC, ProverNetClient, ProverNetCLI, provernet
        //   zkVM beside them: RISCV (executor), KoalaBear → STARK (proof system) → ZKVMProver
        //   dev only        Benchmarks, DevTools, STARKExamples, CNTTReference, CGuestReference

        // MARK: 1 Foundation: C libraries from Debian, then the primitives
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "Locking"),
        .target(name: "Keccak"),
        .target(name: "JSON"),
        .target(name: "Hashing", dependencies: ["COpenSSL", "Locking"]),
        .target(name: "Primitives", dependencies: ["Keccak"]),
        .target(name: "RLP", dependencies: ["Primitives"]),
        .target(name: "ABI", dependencies: ["Primitives", "Keccak"]),
        .target(name: "Secp256k1", dependencies: ["CSecp256k1", "Primitives", "Keccak"]),
        .target(name: "Transactions", dependencies: ["Primitives", "RLP", "Keccak", "Secp256k1"]),
        .target(name: "Keystore", dependencies: ["COpenSSL", "Keccak", "Primitives", "Secp256k1", "JSON"],
                // scrypt's ROMix is too slow unoptimised for the test vectors (N = 2^18).
                swiftSettings: optimisedInDebug),

        // MARK: 2 Storage
        .target(name: "Storage", dependencies: ["CLevelDB", "Locking"]),
        .target(name: "StateTree", dependencies: ["Primitives", "Keccak"]),

        // MARK: 3 State machine
        .target(name: "Chain", dependencies: [
            "Primitives", "Keccak", "RLP", "ABI", "JSON", "Secp256k1", "Transactions", "Storage", "StateTree", "Locking",
        ]),
        .target(name: "SystemContracts", dependencies: ["Chain", "ABI", "JSON", "Primitives", "RLP", "Keccak", "RISCV"]),
        .target(name: "TxPool", dependencies: ["Primitives", "Transactions", "Locking"]),

        // MARK: 4 Consensus: the ABCI-shaped seam and its proof-of-authority driver
        .target(name: "Consensus", dependencies: ["Chain", "TxPool", "ABI", "Primitives", "Secp256k1", "Transactions", "Locking"]),

        // MARK: 5 Node: bootstrap, the sealer loop, the committed-block feed
        .target(name: "Node", dependencies: [
            "Chain", "Consensus", "SystemContracts", "TxPool", "Storage", "Primitives", "RLP", "Secp256k1", "Transactions", "Locking",
            "RISCV", "ZKVMProver",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: 6 Interfaces: JSON-RPC (transport apart from the eth_ methods), the client library, the CLI
        .target(name: "RPC", dependencies: [
            "JSON", "Primitives", "Keccak", "Secp256k1", "Transactions", "Chain", "TxPool", "Node", "Consensus", "Storage",
            "SystemContracts", "RISCV", "Locking",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "ProverNetClient", dependencies: [
            "JSON", "Primitives", "ABI", "Secp256k1", "Transactions", "Keccak", "Chain", "SystemContracts", "Locking",
        ]),
        .target(name: "ProverNetCLI", dependencies: [
            "Primitives", "Keccak", "RLP", "ABI", "Secp256k1", "Transactions", "Storage", "Benchmarks", "DevTools",
            "RISCV", "STARK", "Chain", "Consensus", "TxPool", "Node", "StateTree", "JSON", "RPC", "Keystore", "SystemContracts",
            "ProverNetClient", "Locking", "ZKVMProver", "KoalaBear",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "provernet", dependencies: ["ProverNetCLI"]),

        // MARK: zkVM: RISC-V executor, then the STARK proof system over KoalaBear
        .target(name: "RISCV", dependencies: ["Keccak", "Primitives"]),
        // The field, the STARK and the prover are optimised in debug builds too: the tests prove
        // real runs (2^16-row lookup tables at least), which unoptimised code makes 20× slower.
        .target(name: "KoalaBear", dependencies: ["Locking"], swiftSettings: optimisedInDebug),
        .target(name: "STARK", dependencies: ["KoalaBear", "Hashing", "Locking"], swiftSettings: optimisedInDebug),
        // The RV32IM prover: the machine's chips and buses over the STARK (docs/zkvm.md).
        .target(name: "ZKVMProver", dependencies: ["RISCV", "STARK", "KoalaBear", "Hashing", "Primitives"],
                swiftSettings: optimisedInDebug),

        // MARK: Dev only: benchmarks, crash harness, example AIRs, C references
        // Example AIRs (Fibonacci, range check, permutation, XOR) for the STARK tests and benchmarks.
        .target(name: "STARKExamples", dependencies: ["STARK", "KoalaBear"]),
        // The kill -9 crash-consistency harness (`provernet debug-storage-stress`, hidden).
        .target(name: "DevTools", dependencies: ["Storage", "Primitives"]),
        // Benchmark reference only: the same NTT in plain C (-O2), for the `ntt` ratio.
        .target(name: "CNTTReference", cSettings: [.unsafeFlags(["-O2"])]),
        // Benchmark reference only: the example guests' C code (Tools/guest) built for the host, for `execute`.
        .target(name: "CGuestReference", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Benchmarks", dependencies: [
            "Keccak", "Hashing", "Primitives", "RLP", "ABI", "Secp256k1", "Transactions", "CSecp256k1", "COpenSSL",
            "RISCV", "KoalaBear", "STARK", "STARKExamples", "Chain", "Consensus", "TxPool", "Node", "StateTree", "Storage",
            "CNTTReference", "CGuestReference", "SystemContracts", "RPC", "JSON", "Locking", "ZKVMProver",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Tests (mirror the modules)
        // Shared by the test targets: a seedable generator, the HALT ELF fixture, the `slow` tag.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "RPCTests", dependencies: [
            "RPC", "JSON", "Chain", "Node", "TxPool", "Storage", "Transactions", "Secp256k1", "Primitives",
            "SystemContracts", "ABI", "Keccak", "RISCV", "TestSupport", "Consensus",
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
        .testTarget(name: "ChainTests", dependencies: ["TestSupport", "Chain", "Consensus", "SystemContracts", "Storage", "Transactions", "Secp256k1", "Primitives", "StateTree"]),
        .testTarget(name: "ConsensusTests", dependencies: [
            "Consensus", "Chain", "SystemContracts", "TxPool", "Storage", "Transactions", "Secp256k1", "Primitives",
            "ABI", "RISCV", "TestSupport",
        ]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "SystemContracts", "Consensus", "Chain", "TxPool", "Storage", "Transactions", "Secp256k1", "Primitives", "ZKVMProver", "RISCV"]),
        .testTarget(name: "ProverNetClientTests", dependencies: ["ProverNetClient", "SystemContracts", "ABI", "Primitives"]),
        .testTarget(name: "SystemContractsTests", dependencies: ["TestSupport", "SystemContracts", "Chain", "Consensus", "ABI", "Storage", "Transactions", "Secp256k1", "Primitives"]),
        .testTarget(name: "KeystoreTests", dependencies: ["TestSupport", "Keystore", "Secp256k1", "Primitives"]),
        .testTarget(name: "TxPoolTests", dependencies: ["TxPool", "Transactions", "Secp256k1", "Primitives"]),
        .testTarget(name: "StateTreeTests", dependencies: ["TestSupport", "StateTree", "Primitives"]),
        .testTarget(name: "StorageTests", dependencies: ["TestSupport", "Storage"]),
        .testTarget(name: "DevToolsTests", dependencies: ["TestSupport", "DevTools", "Storage", "provernet"]),
        .testTarget(name: "ProverNetCLITests", dependencies: ["TestSupport", "ProverNetCLI", "ProverNetClient", "provernet"]),
        .testTarget(name: "RISCVTests", dependencies: ["TestSupport", "RISCV", "Keccak", "Hashing"]),
        .testTarget(name: "KoalaBearTests", dependencies: ["TestSupport", "KoalaBear"]),
        .testTarget(name: "STARKTests", dependencies: ["TestSupport", "STARK", "STARKExamples", "KoalaBear"]),
        .testTarget(name: "ZKVMProverTests", dependencies: ["TestSupport", "ZKVMProver", "STARK", "KoalaBear"]),
    ],
    swiftLanguageModes: [.v6]
)
