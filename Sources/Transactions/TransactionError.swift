import RLP

/// Why a transaction was rejected before touching state. The texts are geth's, so wallets and
/// libraries that match on them keep working.
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a well-formed transaction encoding.
    case malformed(RLPError)
    /// The first byte names a transaction type this chain does not run (EIP-4844, EIP-7702, …).
    case typeNotSupported(UInt8)
    /// Empty input.
    case empty
    /// The transaction is signed for another chain.
    case invalidChainID(expected: UInt64, got: UInt64)
    /// r or s out of range, s above n/2, or a bad v / y parity.
    case invalidSignature
    /// The signature does not recover to any key.
    case invalidSender
    /// More than the 128 KiB a pool accepts.
    case oversized(size: Int, limit: Int)
    /// `to` is empty: contract creation, which this chain does not run.
    case contractCreation
    /// The gas limit does not cover the intrinsic cost.
    case intrinsicGasTooLow(have: UInt64, want: UInt64)
    /// The priority fee exceeds the fee cap.
    case tipAboveFeeCap
    /// The gas limit exceeds the block gas limit.
    case gasLimitExceedsBlock(gas: UInt64, limit: UInt64)
    /// The nonce is 2^64 − 1 (EIP-2681).
    case nonceMax

    public var description: String {
        switch self {
        case .malformed(let e): return "rlp: \(e.description.hasPrefix("rlp: ") ? String(e.description.dropFirst(5)) : e.description)"
        case .typeNotSupported: return "transaction type not supported"
        case .empty: return "typed transaction too short"
        case .invalidChainID: return "invalid chain id"
        case .invalidSignature: return "invalid transaction v, r, s values"
        case .invalidSender: return "invalid sender"
        case .oversized: return "oversized data"
        case .contractCreation: return "contract creation is not supported"
        case .intrinsicGasTooLow: return "intrinsic gas too low"
        case .tipAboveFeeCap: return "max priority fee per gas higher than max fee per gas"
        case .gasLimitExceedsBlock: return "exceeds block gas limit"
        case .nonceMax: return "nonce has max value"
        }
    }
}
