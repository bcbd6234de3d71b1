// swift-tools-version:6.1
//
// ProverNet node. Dependencies point one way:
//   C shims → Keccak → Primitives → RLP / ABI / Secp256k1 → Transactions → (state machine, RPC) → CLI
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

        .target(name: "TxPool", dependencies: ["Primitives", "Transactions"]),
        .target(name: "Node", dependencies: ["Chain", "TxPool", "Storage", "Primitives", "Secp256k1", "Transactions"]),

        // MARK: zkVM: RISC-V executor, then the STARK proof system over KoalaBear
        .target(name: "RISCV", dependencies: ["Keccak", "Primitives"]),
        .target(name: "KoalaBear"),
        .target(name: "STARK", dependencies: ["KoalaBear", "Hashing"]),

        // MARK: Node, tools, CLI
        .target(name: "Benchmarks", dependencies: [
            "Keccak", "Hashing", "Primitives", "RLP", "Secp256k1", "Transactions", "CSecp256k1", "COpenSSL",
            "RISCV", "KoalaBear", "STARK", "Chain", "TxPool", "Node", "StateTree", "Storage",
        ]),
        .target(name: "ProverNetCLI", dependencies: [
            "Primitives", "Keccak", "RLP", "ABI", "Secp256k1", "Transactions", "Storage", "Benchmarks",
            "RISCV", "STARK", "Chain", "TxPool", "Node", "StateTree",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "provernet", dependencies: ["ProverNetCLI"]),

        // MARK: Tests (mirror the modules)
        .testTarget(name: "KeccakTests", dependencies: ["Keccak", "Hashing"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"]),
        .testTarget(name: "RLPTests", dependencies: ["RLP", "Primitives"]),
        .testTarget(name: "ABITests", dependencies: ["ABI", "Primitives"]),
        .testTarget(name: "Secp256k1Tests", dependencies: ["Secp256k1", "Primitives"]),
        .testTarget(name: "TransactionsTests", dependencies: ["Transactions", "Primitives", "RLP", "Secp256k1"]),
        .testTarget(name: "ChainTests", dependencies: ["Chain", "Storage", "Transactions", "Secp256k1", "Primitives", "StateTree"]),
        .testTarget(name: "TxPoolTests", dependencies: ["TxPool", "Transactions", "Secp256k1", "Primitives"]),
        .testTarget(name: "StateTreeTests", dependencies: ["StateTree", "Primitives"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "provernet"]),
        .testTarget(name: "ProverNetCLITests", dependencies: ["ProverNetCLI", "provernet"]),
        .testTarget(name: "RISCVTests", dependencies: ["RISCV", "Keccak", "Hashing"]),
        .testTarget(name: "KoalaBearTests", dependencies: ["KoalaBear"]),
        .testTarget(name: "STARKTests", dependencies: ["STARK", "KoalaBear"]),
    ],
    swiftLanguageModes: [.v6]
)
