import Primitives

/// What a valid proof establishes about a run: the program's public output, its exit code and
/// how many cycles it ran.
public struct VerifiedRun: Sendable, Equatable {
    public var output: [UInt8]
    public var exitCode: UInt32
    public var cycles: UInt64

    public init(output: [UInt8], exitCode: UInt32, cycles: UInt64) {
        self.output = output
        self.exitCode = exitCode
        self.cycles = cycles
    }
}

/// Why a proof was refused (the text follows `invalid proof: ` in the revert reason).
public struct ProofRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Checks a submitted proof against the request it claims to fulfil: that the program `elf`
/// (whose id is `programId`, as registered) ran on `input` and produced what the proof says.
/// The Market sees only this protocol; the node injects the zkVM's verifier when it builds the
/// contract set (`SystemContracts.provernet(verifier:)`), so this module never imports the
/// prover. Implementations are deterministic and pure: every node must reach the same verdict.
public protocol ProofVerifier: Sendable {
    func verify(proof: [UInt8], elf: [UInt8], programId: Hash32, input: [UInt8]) throws(ProofRejection) -> VerifiedRun
}

/// The verifier of a node built without one: it accepts nothing.
public struct NoProofVerifier: ProofVerifier {
    public init() {}
    public func verify(proof: [UInt8], elf: [UInt8], programId: Hash32, input: [UInt8]) throws(ProofRejection) -> VerifiedRun {
        throw ProofRejection("this node has no proof verifier")
    }
}
