import Locking
import Primitives
import RISCV
import SystemContracts
import ZKVMProver

/// The node's proof verifier: the zkVM's (``ZKVM/verify(proofBytes:program:inputs:config:maxSize:)``)
/// behind the Market's ``ProofVerifier`` seam. A request's input is the guest's one input item.
/// Verifying keys (the parsed program and its preprocessed commitments) are cached by id, with
/// the ELF's bytes, so another ELF under a cached id is still checked. Pure and
/// deterministic: every node reaches the same verdict on the same bytes.
public final class ZKVMProofVerifier: ProofVerifier {
    private let keys = Locked<[Hash32: (elf: [UInt8], key: ZKVM.VerifyingKey)]>([:])
    private let cacheLimit: Int
    /// The largest proof accepted.
    public let maxProofSize: Int

    public init(maxProofSize: Int = ExecutionProof.defaultMaxSize, cacheLimit: Int = 64) {
        self.maxProofSize = maxProofSize
        self.cacheLimit = cacheLimit
    }

    public func verify(proof: [UInt8], elf: [UInt8], programId: Hash32, input: [UInt8]) throws(ProofRejection) -> VerifiedRun {
        let key = try self.key(elf, programId)
        let claims: Claims
        do { claims = try ZKVM.verify(proofBytes: proof, key: key, inputs: [input], maxSize: maxProofSize) } catch {
            throw ProofRejection("\(error)")
        }
        return VerifiedRun(output: claims.publicOutput, exitCode: claims.exitCode, cycles: claims.cycles)
    }

    private func key(_ elf: [UInt8], _ id: Hash32) throws(ProofRejection) -> ZKVM.VerifyingKey {
        if let cached = keys.withLock({ $0[id] }), cached.elf == elf { return cached.key }
        let p: Program
        do { p = try Program(elf: elf) } catch { throw ProofRejection("the registered program does not load: \(error)") }
        guard p.programId == id else { throw ProofRejection("the ELF is program \(p.programId), not \(id)") }
        let key = ZKVM.VerifyingKey(program: p)
        keys.withLock { cache in
            if cache.count >= cacheLimit { cache.removeAll() }
            cache[id] = (elf, key)
        }
        return key
    }
}
