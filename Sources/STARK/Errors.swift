/// Why a proof could not be made, decoded or accepted.
public enum StarkError: Error, Equatable, CustomStringConvertible {
    /// The configuration is unusable.
    case invalidConfig(String)
    /// The AIR is malformed (bad column index, constraint degree above what the blowup allows, …).
    case invalidAIR(String)
    /// The trace (or preprocessed table) does not have the shape the AIR declares.
    case invalidTrace(String)
    /// The number of public inputs differs from what the AIR declares.
    case publicInputCount(expected: Int, got: Int)
    /// The prover's check found a constraint that does not hold.
    case constraintNotSatisfied(constraint: Int, row: Int, detail: String)
    /// The prover's check found a lookup bus whose LogUp sum is not zero: the multisets differ.
    case lookupNotBalanced(bus: Int)
    /// A LogUp denominator vanished (a negligible-probability event for honest inputs).
    case lookupDenominatorZero
    /// The proof bytes are not a well-formed proof.
    case malformedProof(String)
    /// The proof is well-formed but wrong.
    case verificationFailed(String)
    /// Segment `k` of a segmented proof failed with the error.
    indirect case segment(Int, StarkError)

    public var description: String {
        switch self {
        case .invalidConfig(let s): return "invalid STARK configuration: \(s)"
        case .invalidAIR(let s): return "invalid AIR: \(s)"
        case .invalidTrace(let s): return "invalid trace: \(s)"
        case .publicInputCount(let e, let g): return "expected \(e) public inputs, got \(g)"
        case .constraintNotSatisfied(let c, let r, let d):
            return "constraint \(c) (\(d)) does not hold on row \(r)"
        case .lookupNotBalanced(let bus): return "lookup bus \(bus) is not balanced: a looked-up value is missing from its table"
        case .lookupDenominatorZero: return "a LogUp denominator is zero"
        case .malformedProof(let s): return "malformed proof: \(s)"
        case .verificationFailed(let s): return "proof rejected: \(s)"
        case .segment(let k, let e): return "segment \(k): \(e)"
        }
    }
}

extension StarkError {
    /// The same error, naming segment `k` of a segmented proof.
    func inSegment(_ k: Int) -> StarkError {
        if case .segment = self { return self }
        return .segment(k, self)
    }
}
