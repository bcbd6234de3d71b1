import ABI
import JSON
import Primitives
import SystemContracts

/// One decoded event log: the event and its named values.
public struct DecodedEvent: Sendable {
    /// The event's name, e.g. `ProofRequested`.
    public let name: String
    /// Parameter names and values, in declaration order (an indexed dynamic value is its hash).
    public let values: [(name: String, value: ABIValue)]

    /// The value named `name`.
    public subscript(_ name: String) -> ABIValue? { values.first { $0.name == name }?.value }

    /// `Name(param=value, …)`.
    public var text: String { "\(name)(\(values.map { "\($0.name)=\(formatABI($0.value))" }.joined(separator: ", ")))" }
}

/// A human-readable ABI value: decimal integers, checksummed addresses, hex bytes, quoted strings.
public func formatABI(_ v: ABIValue) -> String {
    switch v {
    case .uint(let x): return x.description
    case .int(let x): return "\(x)"
    case .address(let a): return a.checksummed
    case .bool(let b): return b ? "true" : "false"
    case .fixedBytes(let b), .bytes(let b): return Hex.encode(b)
    case .string(let s): return JSONValue.string(s).text
    case .array(let xs): return "[" + xs.map(formatABI).joined(separator: ", ") + "]"
    case .tuple(let xs): return "(" + xs.map(formatABI).joined(separator: ", ") + ")"
    }
}

/// Decodes logs with the system contracts' event specs.
public enum EventDecoder {
    /// The system contracts' events by topic 0.
    static let byTopic: [Hash32: EventSpec] = {
        var table: [Hash32: EventSpec] = [:]
        for c in ContractInterface.all { for e in c.events { table[e.topic] = e } }
        return table
    }()

    /// The event spec whose topic 0 is `topic`.
    public static func event(topic: Hash32) -> EventSpec? { byTopic[topic] }

    /// The topic 0 of the system-contract event named `name`; nil when none has that name.
    public static func topic(named name: String) -> Hash32? { byTopic.values.first { $0.name == name }?.topic }

    /// Decodes a log; nil for unknown events or malformed data.
    public static func decode(topics: [Hash32], data: [UInt8]) -> DecodedEvent? {
        guard let t0 = topics.first, let spec = byTopic[t0] else { return nil }
        let dataParams = spec.params.filter { !$0.indexed }
        guard let dataValues = try? ABI.decode(dataParams.map(\.type), from: data) else { return nil }
        var values: [(String, ABIValue)] = [], topicIndex = 1, dataIndex = 0
        for p in spec.params {
            if p.indexed {
                guard topicIndex < topics.count else { return nil }
                let word = topics[topicIndex].bytes
                topicIndex += 1
                if p.type.isDynamic {
                    values.append((p.name, .fixedBytes(word)))
                } else {
                    guard let v = try? ABI.decode([p.type], from: word).first else { return nil }
                    values.append((p.name, v))
                }
            } else {
                values.append((p.name, dataValues[dataIndex]))
                dataIndex += 1
            }
        }
        return DecodedEvent(name: spec.name, values: values)
    }

    /// Decodes a JSON-RPC log object (`topics`, `data`).
    public static func decode(log: JSONValue) -> DecodedEvent? {
        let topics = (log["topics"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { Hash32(hex: $0) } }
        let bytes = (try? Hex.decode(log["data"]?.stringValue ?? "0x")) ?? []
        return decode(topics: topics, data: bytes)
    }
}
