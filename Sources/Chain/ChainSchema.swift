/// Every key the chain stores, in one place (like geth's `core/rawdb/schema.go`), next to the
/// chain's store (`ChainStore.swift`). The world state's own keys (accounts, parameters, each
/// system contract's namespace) live inside the state tree, under `StateKey`.
///
/// Each table is a distinct one-byte ASCII prefix followed by fixed-width fields, so a prefix
/// scan never strays into another table. Singleton keys live under the `m` (metadata) prefix.
/// Hashes are 32 bytes; numbers are 8-byte big-endian, so scans visit them in numeric order.
/// ``all`` lists every prefix and singleton key; a test checks none is a prefix of another.
public enum ChainSchema {
    /// Version of this layout, stored under ``databaseVersionKey``; bump on incompatible changes.
    public static let version: UInt64 = 2

    // MARK: Singleton keys

    /// → ``version`` of the layout the database was written with (8-byte big-endian).
    public static let databaseVersionKey = meta("DatabaseVersion")
    /// → hash of the current head block (the latest block with header, body and state).
    public static let headBlockKey = meta("LastBlock")
    /// → hash of the genesis block.
    public static let genesisHashKey = meta("GenesisHash")

    // MARK: Table prefixes

    /// `h` + block hash → RLP-encoded header.
    public static let headerPrefix = tag("h")
    /// `H` + block hash → block number (8-byte big-endian).
    public static let headerNumberPrefix = tag("H")
    /// `b` + block hash → the ``CertifiedBlock``: rlp([header, transactions, [], certificate]),
    /// what `export` writes.
    public static let bodyPrefix = tag("b")
    /// `r` + block hash → RLP-encoded receipts of the block.
    public static let receiptsPrefix = tag("r")
    /// `n` + block number (8-byte big-endian) → hash of the canonical block at that height.
    public static let canonicalHashPrefix = tag("n")
    /// `l` + transaction hash → ``txLookupValue(blockNumber:index:)`` (where it was included).
    public static let txLookupPrefix = tag("l")
    /// `t` + page root hash → encoded state tree page (`StateTree.TreePage`).
    public static let treePagePrefix = tag("t")
    /// `L` + address (20 bytes) + block number (8-byte big-endian) → `[1]`: the block has logs
    /// emitted by that address.
    public static let logAddressIndexPrefix = tag("L")
    /// `T` + topic (32 bytes) + block number (8-byte big-endian) → `[1]`: the block has logs
    /// carrying that topic.
    public static let logTopicIndexPrefix = tag("T")
    /// `e` + block hash → RLP list of the logs the system contracts emitted at the end of the
    /// block (auction assignments, governance tallies); absent when there were none.
    public static let blockLogsPrefix = tag("e")
    /// `s` + raw state key (namespace byte + key) → value: the flat copy of the latest world
    /// state, updated in each block's batch, serving reads without walking the state tree.
    public static let statePrefix = tag("s")
    /// `C` + genesis hash → chain configuration (JSON).
    public static let chainConfigPrefix = tag("C")

    /// Every table prefix and singleton key, by name; none is a prefix of another.
    public static let all: [(name: String, key: [UInt8])] = [
        ("databaseVersion", databaseVersionKey), ("headBlock", headBlockKey), ("genesisHash", genesisHashKey),
        ("header", headerPrefix), ("headerNumber", headerNumberPrefix), ("body", bodyPrefix),
        ("receipts", receiptsPrefix), ("canonicalHash", canonicalHashPrefix),
        ("txLookup", txLookupPrefix), ("treePage", treePagePrefix),
        ("logAddressIndex", logAddressIndexPrefix), ("logTopicIndex", logTopicIndexPrefix),
        ("chainConfig", chainConfigPrefix), ("state", statePrefix), ("blockLogs", blockLogsPrefix),
    ]

    // MARK: Key builders

    /// Key of the header with hash `hash`.
    public static func headerKey(_ hash: [UInt8]) -> [UInt8] { key(headerPrefix, hash) }
    /// Key of the number of the block with hash `hash`.
    public static func headerNumberKey(_ hash: [UInt8]) -> [UInt8] { key(headerNumberPrefix, hash) }
    /// Key of the body of the block with hash `hash`.
    public static func bodyKey(_ hash: [UInt8]) -> [UInt8] { key(bodyPrefix, hash) }
    /// Key of the receipts of the block with hash `hash`.
    public static func receiptsKey(_ hash: [UInt8]) -> [UInt8] { key(receiptsPrefix, hash) }
    /// Key of the canonical block hash at height `number`.
    public static func canonicalHashKey(_ number: UInt64) -> [UInt8] { key(canonicalHashPrefix, encode(number)) }
    /// Key of the inclusion record of transaction `hash`.
    public static func txLookupKey(_ hash: [UInt8]) -> [UInt8] { key(txLookupPrefix, hash) }
    /// Key of the state tree page whose root has hash `hash`.
    public static func treePageKey(_ hash: [UInt8]) -> [UInt8] { key(treePagePrefix, hash) }
    /// Key marking that block `number` has logs from `address` (20 bytes).
    public static func logAddressIndexKey(_ address: [UInt8], _ number: UInt64) -> [UInt8] {
        key(logAddressIndexPrefix, address, encode(number))
    }
    /// Key marking that block `number` has logs with topic `topic` (32 bytes).
    public static func logTopicIndexKey(_ topic: [UInt8], _ number: UInt64) -> [UInt8] {
        key(logTopicIndexPrefix, topic, encode(number))
    }
    /// Key of the end-of-block logs of the block with hash `hash`.
    public static func blockLogsKey(_ hash: [UInt8]) -> [UInt8] { key(blockLogsPrefix, hash) }
    /// Key of the flat state entry for raw state key `raw`.
    public static func stateKey(_ raw: [UInt8]) -> [UInt8] { key(statePrefix, raw) }
    /// Key of the chain configuration of the chain with genesis hash `genesisHash`.
    public static func chainConfigKey(_ genesisHash: [UInt8]) -> [UInt8] { key(chainConfigPrefix, genesisHash) }

    // MARK: Value codecs

    /// Encodes `number` as 8 bytes, big-endian (the form used in keys and number values).
    public static func encode(_ number: UInt64) -> [UInt8] { number.bigEndianBytes }

    /// Decodes an 8-byte big-endian number; `nil` if `bytes` is not 8 bytes long.
    public static func decodeNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? { UInt64(bigEndianBytes: bytes) }

    /// Value of a ``txLookupKey(_:)`` entry: block number (8 bytes) + index in the block (4 bytes), big-endian.
    public static func txLookupValue(blockNumber: UInt64, index: UInt32) -> [UInt8] {
        encode(blockNumber) + withUnsafeBytes(of: index.bigEndian) { Array($0) }
    }

    /// Decodes a ``txLookupValue(blockNumber:index:)``; `nil` if malformed.
    public static func decodeTxLookup(_ value: [UInt8]) -> (blockNumber: UInt64, index: UInt32)? {
        guard value.count == 12, let number = decodeNumber(value[..<8]) else { return nil }
        return (number, value[8...].reduce(0) { $0 << 8 | UInt32($1) })
    }

    // MARK: Helpers

    private static func tag(_ ascii: String) -> [UInt8] { Array(ascii.utf8) }
    private static func meta(_ name: String) -> [UInt8] { Array("m\(name)".utf8) }

    private static func key(_ prefix: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        var key = prefix
        key.reserveCapacity(prefix.count + parts.reduce(0) { $0 + $1.count })
        for part in parts { key += part }
        return key
    }
}
