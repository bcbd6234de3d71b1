import Primitives
import StateTree

/// Read access to committed state: the flat copy of the latest state (`s` + raw key).
public protocol StateReader {
    func stateValue(_ key: [UInt8]) throws -> [UInt8]?
    /// The account at `a`, decoded; nil when it does not exist. Readers with decoded accounts
    /// at hand (the node's cache of recently written ones) answer without decoding.
    func account(_ a: Address) throws -> Account?
}

extension StateReader {
    public func account(_ a: Address) throws -> Account? { try decodedAccount(a) }

    /// The account read as raw state and decoded (what ``account(_:)`` does by default; readers
    /// that override it fall back to this).
    public func decodedAccount(_ a: Address) throws -> Account? {
        guard let raw = try stateValue(StateKey.account(a).bytes) else { return nil }
        do { return try Account(decoding: raw) } catch { throw StateError.corrupt("account \(a): \(error)") }
    }
}

/// Why the state could not be read or written.
public enum StateError: Error, Equatable, Sendable, CustomStringConvertible {
    case corrupt(String)
    case balanceOverflow

    public var description: String {
        switch self {
        case .corrupt(let why): return "state corrupt: \(why)"
        case .balanceOverflow: return "balance overflow"
        }
    }
}

/// The mutable world state of one block in progress: an overlay on committed state with a
/// journal, so a failed system call rolls back every change it made.
public final class WorldState {
    let base: any StateReader
    /// Current values of touched keys other than accounts; `.some(nil)` is a deletion.
    private(set) var dirty: [[UInt8]: [UInt8]?] = [:]
    /// Touched accounts, decoded; encoded only at commit.
    private var accounts: [Address: Account] = [:]
    private enum JournalEntry {
        case raw(key: [UInt8], previous: [UInt8]??)
        case account(Address, previous: Account?)
    }
    private var journal: [JournalEntry] = []
    /// Base fees burned in this block so far, added to the `burned` counter at commit.
    private var burnedInBlock = UInt256.zero

    public init(base: any StateReader) {
        self.base = base
    }

    // MARK: Raw access

    public func get(_ key: StateKey) throws -> [UInt8]? {
        if key.bytes.first == StateNamespace.account.rawValue, key.bytes.count == 21,
           let a = Address(key.bytes[1...]), let acct = accounts[a] {
            return acct.isEmpty ? nil : acct.encoded
        }
        if let v = dirty[key.bytes] { return v }
        return try base.stateValue(key.bytes)
    }

    /// Sets (or with nil, deletes) a key, journaling the previous overlay entry. Accounts go
    /// through ``setAccount(_:_:)``.
    public func set(_ key: StateKey, _ value: [UInt8]?) {
        precondition(key.bytes.first != StateNamespace.account.rawValue, "accounts are written with setAccount")
        let v = (value?.isEmpty ?? true) ? nil : value
        journal.append(.raw(key: key.bytes, previous: dirty[key.bytes]))
        dirty[key.bytes] = .some(v)
    }

    /// A point to return to with ``revert(to:)``.
    public func checkpoint() -> Int { journal.count }

    /// Undoes every change made after `checkpoint`.
    public func revert(to checkpoint: Int) {
        while journal.count > checkpoint {
            switch journal.removeLast() {
            case .raw(let key, let previous):
                if let p = previous { dirty[key] = p } else { dirty[key] = nil }
            case .account(let a, let previous):
                accounts[a] = previous
            }
        }
    }

    // MARK: Accounts

    public func account(_ a: Address) throws -> Account {
        if let acct = accounts[a] { return acct }
        return try base.account(a) ?? Account()
    }

    /// The accounts this block touched, with their values now (empty ones are deleted).
    var touchedAccounts: [Address: Account] { accounts }

    public func setAccount(_ a: Address, _ acct: Account) {
        journal.append(.account(a, previous: accounts[a]))
        accounts[a] = acct
    }

    public func balance(_ a: Address) throws -> UInt256 { try account(a).balance }

    public func nonce(_ a: Address) throws -> UInt64 { try account(a).nonce }

    public func addBalance(_ a: Address, _ amount: UInt256) throws {
        if amount.isZero { return }
        var acct = try account(a)
        guard let b = acct.balance.checkedAdd(amount) else { throw StateError.balanceOverflow }
        acct.balance = b
        setAccount(a, acct)
    }

    /// Subtracts `amount`; returns false (changing nothing) when the balance is short.
    public func subBalance(_ a: Address, _ amount: UInt256) throws -> Bool {
        if amount.isZero { return true }
        var acct = try account(a)
        guard let b = acct.balance.checkedSub(amount) else { return false }
        acct.balance = b
        setAccount(a, acct)
        return true
    }

    // MARK: Numbers

    /// Destroys `amount` BREV (a base fee): counted into the chain's `burned` total.
    public func burn(_ amount: UInt256) { burnedInBlock = burnedInBlock + amount }

    public func number(_ key: StateKey) throws -> UInt256 {
        let v = StateValue.decode(try get(key))
        return key == .burned ? v + burnedInBlock : v
    }

    public func setNumber(_ key: StateKey, _ v: UInt256) { set(key, v.isZero ? nil : StateValue.encode(v)) }

    /// The protocol parameters of `registry` as currently stored.
    public func params(_ registry: ParameterRegistry) throws -> ProtocolParams {
        var values: [String: UInt256] = [:]
        for def in registry.definitions {
            guard let raw = try get(.param(def.name)) else {
                throw StateError.corrupt("parameter \(def.name) missing")
            }
            values[def.name] = StateValue.decode(Array(raw.dropFirst()))
        }
        return ProtocolParams(registry: registry, values: values)
    }

    public func setParams(_ p: ProtocolParams) {
        for def in p.registry.definitions {
            // Parameters are stored even when zero, so a missing one is detectably corrupt.
            set(.param(def.name), [0x00] + StateValue.encode(p.values[def.name] ?? def.defaultValue))
        }
    }

    // MARK: Commit

    /// The changes as (raw key, value or nil), in no particular order (the tree orders them by
    /// key hash, the write batch does not care).
    var changes: [(key: [UInt8], value: [UInt8]?)] {
        var raw = dirty
        if !burnedInBlock.isZero {
            let total = (try? number(.burned)) ?? burnedInBlock
            raw[StateKey.burned.bytes] = .some(StateValue.encode(total))
        }
        var out = raw.map { ($0.key, $0.value) }
        out.reserveCapacity(dirty.count + accounts.count)
        for (a, acct) in accounts { out.append((StateKey.account(a).bytes, acct.isEmpty ? nil : acct.encoded)) }
        return out
    }

    /// Applies the changes to `tree`; returns the new state root and the changes (for the
    /// flat-state part of the block's write batch).
    public func commit(into tree: inout SparseMerkleTree) throws -> (root: Hash32, changes: [(key: [UInt8], value: [UInt8]?)]) {
        let c = changes
        return (try tree.update(c.map { SparseMerkleTree.Update(key: $0.key, value: $0.value) }), c)
    }
}
