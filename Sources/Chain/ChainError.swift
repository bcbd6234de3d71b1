import Primitives

/// Why a block, a chain operation or a datadir was refused.
public enum ChainError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedBlock(String)
    case invalidSeal(number: UInt64, reason: String)
    case wrongSealer(number: UInt64, expected: Address, got: Address)
    case unknownParent(number: UInt64, parent: Hash32)
    case badNumber(expected: UInt64, got: UInt64)
    /// A header field that does not match what re-execution or the rules give.
    case mismatch(number: UInt64, field: String, expected: String, got: String)
    case invalidTransaction(number: UInt64, index: Int, reason: String)
    case notInitialized(String)
    case genesisMismatch(stored: Hash32, given: Hash32)
    case corrupt(String)

    public var description: String {
        switch self {
        case .malformedBlock(let why): return "malformed block: \(why)"
        case .invalidSeal(let n, let why): return "block \(n): invalid seal: \(why)"
        case .wrongSealer(let n, let e, let g): return "block \(n): sealed by \(g), expected the authority \(e)"
        case .unknownParent(let n, let p): return "block \(n): unknown parent \(p)"
        case .badNumber(let e, let g): return "expected block \(e), got block \(g)"
        case .mismatch(let n, let f, let e, let g): return "block \(n): \(f) mismatch: expected \(e), got \(g)"
        case .invalidTransaction(let n, let i, let why): return "block \(n): transaction \(i) invalid: \(why)"
        case .notInitialized(let dir): return "datadir \(dir) is not initialised: run `provernet init` first"
        case .genesisMismatch(let s, let g):
            return "datadir holds a chain with genesis \(s), not \(g): use another datadir or the matching genesis file"
        case .corrupt(let why): return "database corrupt: \(why)"
        }
    }
}
