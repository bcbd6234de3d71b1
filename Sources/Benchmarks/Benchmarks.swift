import COpenSSL
import CSecp256k1
import Hashing
import Keccak
import Primitives
import RLP
import Secp256k1
import Transactions

/// The benchmarks `provernet bench` runs. Each compares against a reference in the same run.
public enum Benchmarks {
    /// Benchmark names, in the order `all` runs them.
    public static let names = ["keccak", "ecrecover", "rlp", "transfers", "statecommit", "market", "execute", "field", "ntt", "merkle", "stark", "prove"]

    /// Runs the named benchmark (`all` for every one).
    public static func run(_ name: String, seconds: Double = 0.4) throws -> [BenchResult] {
        switch name {
        case "all": return try names.flatMap { try run($0, seconds: seconds) }
        case "keccak": return [keccak(seconds: seconds)]
        case "ecrecover": return [ecrecover(seconds: seconds)]
        case "rlp": return [rlp(seconds: seconds)]
        case "transfers": return try transfers(seconds: seconds)
        case "statecommit": return try statecommit(seconds: seconds)
        case "market": return try market(seconds: seconds)
        case "execute": return try execute(seconds: seconds)
        case "field": return field(seconds: seconds)
        case "merkle": return merkle(seconds: seconds)
        case "ntt": return ntt(seconds: seconds)
        case "stark": return try stark(seconds: seconds)
        case "prove": return try prove(seconds: seconds)
        default: throw BenchError.unknown(name)
        }
    }

    /// Keccak-256 of 64-byte inputs against OpenSSL's SHA3-256 (the same permutation, one block).
    static func keccak(seconds: Double) -> BenchResult {
        let n = 1024
        var input = [UInt8](repeating: 0, count: 64 * n)
        for i in input.indices { input[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        var out = [UInt8](repeating: 0, count: 32)
        let sha3 = OpenSSLSHA3_256()
        let rates = Measure.compare(seconds: seconds, batch: n, ours: {
            input.withUnsafeBytes { inp in
                out.withUnsafeMutableBytes { o in
                    for i in 0..<n {
                        Keccak256.hash(UnsafeRawBufferPointer(rebasing: inp[(i * 64)..<(i * 64 + 64)]), into: o)
                    }
                }
            }
            blackHole(out)
        }, reference: {
            input.withUnsafeBytes { inp in
                out.withUnsafeMutableBytes { o in
                    for i in 0..<n {
                        sha3.hash(UnsafeRawBufferPointer(rebasing: inp[(i * 64)..<(i * 64 + 64)]), into: o)
                    }
                }
            }
            blackHole(out)
        })
        return BenchResult(bench: "keccak", value: rates.ours * 64 / 1e6, unit: "MB/s",
                           reference: rates.reference * 64 / 1e6, referenceName: "OpenSSL SHA3-256", target: 0.8)
    }

    /// Sender recovery through the Swift wrapper against a tight C-API loop of
    /// `secp256k1_ecdsa_recoverable_signature_parse_compact` + `secp256k1_ecdsa_recover`.
    static func ecrecover(seconds: Double) -> BenchResult {
        let count = 64
        var hashes: [Hash32] = []
        var sigs: [RecoverableSignature] = []
        for i in 0..<count {
            let key = try! PrivateKey(Hash32.keccak256([UInt8(i), 1, 2, 3]).bytes)
            let h = Hash32.keccak256([UInt8(i), 9])
            hashes.append(h)
            sigs.append(key.sign(hash: h))
        }
        // The reference: raw C calls on pre-serialized inputs with a context of its own.
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
        defer { secp256k1_context_destroy(ctx) }
        let compact: [[UInt8]] = sigs.map { $0.r.bigEndianBytes + $0.s.bigEndianBytes }
        let msgs: [[UInt8]] = hashes.map(\.bytes)
        var sink = 0
        let rates = Measure.compare(seconds: seconds, batch: count, ours: {
            for i in 0..<count {
                if let a = try? ECRecover.address(hash: hashes[i], signature: sigs[i]) { sink &+= Int(a.lo) }
            }
            blackHole(sink)
        }, reference: {
            var rsig = secp256k1_ecdsa_recoverable_signature()
            var pk = secp256k1_pubkey()
            for i in 0..<count {
                compact[i].withUnsafeBufferPointer { c in
                    msgs[i].withUnsafeBufferPointer { m in
                        _ = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, c.baseAddress!,
                                                                                Int32(sigs[i].recoveryID))
                        sink &+= Int(secp256k1_ecdsa_recover(ctx, &pk, &rsig, m.baseAddress!))
                    }
                }
            }
            blackHole(sink)
        })
        return BenchResult(bench: "ecrecover", value: rates.ours, unit: "recoveries/s",
                           reference: rates.reference, referenceName: "secp256k1_ecdsa_recover loop", target: 0.9)
    }

    /// EIP-1559 transaction decodes (strict RLP, fields, hash) per second, against
    /// Keccak-256 of the same bytes: the one piece of work every decode must do anyway.
    static func rlp(seconds: Double) -> BenchResult {
        let key = try! PrivateKey(Hash32.keccak256([42]).bytes)
        var encoded: [[UInt8]] = []
        for i in 0..<64 {
            let tx = Transaction.dynamicFee(
                chainID: 70001, nonce: UInt64(i), maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 30_000_000_000,
                gasLimit: 100_000, to: Address(low: 0x1001), value: UInt256(UInt64(i) * 1_000_000_007),
                data: [UInt8](repeating: UInt8(i), count: 68),
                accessList: i % 4 == 0 ? [AccessListEntry(address: Address(low: 0x1000), storageKeys: [.zero])] : [])
            encoded.append(tx.signed(with: key).encoded)
        }
        var sink: UInt64 = 0
        let rates = Measure.compare(seconds: seconds, batch: encoded.count, ours: {
            for e in encoded {
                if let t = try? SignedTransaction(decoding: e) { sink &+= t.transaction.nonce &+ t.hash.a }
            }
            blackHole(sink)
        }, reference: {
            for e in encoded { sink &+= Hash32.keccak256(e).a }
            blackHole(sink)
        })
        return BenchResult(bench: "rlp", value: rates.ours, unit: "tx/s", reference: rates.reference,
                           referenceName: "keccak256 of the same bytes", target: nil)
    }
}

/// A benchmark name that does not exist.
public enum BenchError: Error, CustomStringConvertible {
    case unknown(String)
    case failed(String)

    public var description: String {
        switch self {
        case .failed(let why): return "benchmark failed: \(why)"
        case .unknown(let n): return "unknown benchmark '\(n)'; choose one of: all, \(Benchmarks.names.joined(separator: ", "))"
        }
    }
}
