import Chain
import Consensus
import Foundation
import Primitives
import RLP
import Storage
import SystemContracts

/// Export, import and replay of a datadir's chain: blocks as concatenated RLP certified blocks
/// (header, transactions, seal), imported through proof of authority's import path (seal, then
/// re-execution against every header field), replayed from genesis into scratch state.
public enum ChainArchive {
    /// Why an archive operation stopped.
    public struct Stopped: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// The chain of an initialised datadir.
    public static func open(datadir: String, verifier: any ProofVerifier = NoProofVerifier()) throws -> (Blockchain, [UInt8]) {
        let store = try DataDir.openExisting(datadir)
        let (g, json) = try DataDir.storedGenesis(store, dir: datadir)
        return (try Blockchain(store: store, genesis: g, contracts: .provernet(verifier: verifier), path: datadir), json)
    }

    /// Writes blocks `from...to` (clamped to the head) to `out`; `progress` hears each block written.
    @discardableResult
    public static func export(_ chain: Blockchain, from: UInt64, to: UInt64?, out: String,
                              progress: (UInt64, UInt64) -> Void = { _, _ in }) throws -> ClosedRange<UInt64> {
        let last = min(to ?? chain.head.number, chain.head.number)
        guard from >= 1, from <= last else { throw Stopped("nothing to export: blocks \(from)...\(last)") }
        guard FileManager.default.createFile(atPath: out, contents: nil), let fh = FileHandle(forWritingAtPath: out) else {
            throw Stopped("cannot write \(out)")
        }
        defer { try? fh.close() }
        for n in from...last {
            guard let b = try chain.reader.certifiedBlock(number: n) else { throw ChainError.corrupt("block \(n) missing") }
            try fh.write(contentsOf: b.encoded)
            progress(n - from + 1, last - from + 1)
        }
        try fh.synchronize()
        return from...last
    }

    /// What an import did.
    public struct Imported: Sendable, Equatable {
        public var imported: UInt64
        /// Blocks the chain already had (each the very same block).
        public var alreadyPresent: UInt64
    }

    /// Imports the blocks in `bytes` (an export) into `chain`, stopping at the first one that is
    /// malformed, differs from a stored block, or fails proof of authority's checks. Blocks
    /// before it stay committed.
    public static func importBlocks(_ bytes: [UInt8], into chain: Blockchain,
                                    progress: (UInt64) -> Void = { _ in }) throws -> Imported {
        let app = ChainApplication(chain: chain)
        let poa = try ProofOfAuthority(authority: chain.genesis.sealer)
        var d = RLPDecoder(bytes)
        var result = Imported(imported: 0, alreadyPresent: 0)
        while !d.isAtEnd {
            let at = d.position
            let block: CertifiedBlock
            do { block = try CertifiedBlock(decoding: &d) } catch {
                throw Stopped("import stopped at byte \(at) after block \(chain.head.number): \(error)")
            }
            if block.number <= chain.head.number {
                // Already here: it must be the very same block.
                guard try chain.reader.canonicalHash(block.number) == block.hash else {
                    throw Stopped("import stopped: block \(block.number) \(block.hash) differs from the stored one")
                }
                result.alreadyPresent += 1
                continue
            }
            do { try poa.importBlock(block, into: app) } catch {
                throw Stopped("import stopped at block \(block.number): \(error)")
            }
            result.imported += 1
            progress(result.imported)
        }
        return result
    }

    /// Re-executes `chain` from genesis into scratch state, checking every block as an import
    /// would; returns the replica's head, which equals the chain's.
    public static func replay(_ chain: Blockchain, genesisJSON: [UInt8], verifier: any ProofVerifier = NoProofVerifier(),
                              progress: (UInt64, UInt64) -> Void = { _, _ in }) throws -> Header {
        let scratch = MemoryStore()
        let contracts = SystemContracts.provernet(verifier: verifier)
        try Blockchain.initialize(store: scratch, genesis: chain.genesis, genesisJSON: genesisJSON, contracts: contracts)
        let replica = try Blockchain(store: scratch, genesis: chain.genesis, contracts: contracts)
        let app = ChainApplication(chain: replica)
        let poa = try ProofOfAuthority(authority: chain.genesis.sealer)
        let head = chain.head.number
        if head > 0 {
            for n in 1...head {
                guard let b = try chain.reader.certifiedBlock(number: n) else { throw ChainError.corrupt("block \(n) missing") }
                do { try poa.importBlock(b, into: app) } catch { throw Stopped("replay stopped at block \(n): \(error)") }
                progress(n, head)
            }
        }
        return replica.head
    }
}
