import Primitives
import RLP

/// A namespace of the world state. Every entry's raw key is its namespace byte followed by
/// the entry's own key; the state tree commits to all of them under one root. The chain owns
/// the bytes below ``firstContractNamespace``; each system contract declares its own above it
/// (``SystemContract/namespace``), and ``SystemContracts`` refuses two contracts sharing one.
public struct StateNamespace: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Address (20 bytes) → ``Account``.
    public static let account = StateNamespace(rawValue: 0x01)
    /// Parameter name (UTF-8) → minimal big-endian value.
    public static let param = StateNamespace(rawValue: 0x02)
    /// Chain-wide counters (`burned`, `supply`, `chainId`) → minimal big-endian value.
    public static let chain = StateNamespace(rawValue: 0x03)
    /// The first byte a system contract may own.
    public static let firstContractNamespace: UInt8 = 0x10
}

/// A raw state key: namespace byte ‖ key.
public struct StateKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ namespace: StateNamespace, _ key: [UInt8]) {
        var b = [namespace.rawValue]
        b.append(contentsOf: key)
        bytes = b
    }

    public static func account(_ a: Address) -> StateKey { StateKey(.account, a.bytes) }
    public static func param(_ name: String) -> StateKey { StateKey(.param, Array(name.utf8)) }
    public static let burned = StateKey(.chain, Array("burned".utf8))
    public static let supply = StateKey(.chain, Array("supply".utf8))
    /// The chain id, so the genesis state (and hash) commits to the chain's identity.
    public static let chainID = StateKey(.chain, Array("chainId".utf8))
}

/// An account: nonce and BREV balance. Accounts with both zero are not stored.
public struct Account: Sendable, Hashable {
    public var nonce: UInt64
    public var balance: UInt256

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero) {
        self.nonce = nonce
        self.balance = balance
    }

    public var isEmpty: Bool { nonce == 0 && balance.isZero }

    /// RLP([nonce, balance]).
    public var encoded: [UInt8] {
        let payload = RLPLength.uint(nonce) + RLPLength.uint(balance)
        var w = RLPWriter(capacity: RLPLength.list(payload: payload))
        w.writeListHeader(payloadLength: payload)
        w.write(nonce)
        w.write(balance)
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RLPError) {
        var outer = RLPDecoder(bytes)
        var d = try outer.readList()
        try outer.finish()
        nonce = try d.readUInt64()
        balance = try d.readUInt256()
        try d.finish()
    }
}

/// Minimal big-endian encoding of a number stored as a state value (empty for zero).
public enum StateValue {
    public static func encode(_ v: UInt256) -> [UInt8] { v.minimalBigEndianBytes }
    public static func decode(_ b: [UInt8]?) -> UInt256 { b.flatMap { UInt256(bigEndian: $0) } ?? .zero }
}
