import ArgumentParser
import JSON
import Primitives
import RLP

/// `provernet rlp encode|decode`: RLP as nested JSON arrays of hex strings.
struct RLPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlp",
        abstract: "Convert between RLP and JSON (lists as arrays, strings as 0x-hex).",
        subcommands: [Encode.self, Decode.self])

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "JSON (arrays of 0x-hex strings) to RLP hex.")
        @Argument(help: "JSON value, or - for stdin lines.") var json: String
        func run() throws {
            try forEachInput(json) { text in Hex.encode(try RLPJSON.item(from: JSONValue.parse(text)).rlpEncoded) }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "RLP hex to JSON; strict about canonical form.")
        @Argument(help: "RLP as hex, or - for stdin lines.") var hex: String
        func run() throws {
            try forEachInput(hex) { text in RLPJSON.json(try RLPItem(decoding: try Hex.decode(text))).text }
        }
    }
}

enum RLPJSON {
    static func item(from v: JSONValue) throws -> RLPItem {
        switch v {
        case .string(let s): return .bytes(try Hex.decode(s))
        case .array(let a): return .list(try a.map(item))
        default: throw CLIError("RLP JSON holds only arrays and 0x-hex strings")
        }
    }

    static func json(_ item: RLPItem) -> JSONValue {
        switch item {
        case .bytes(let b): return .string(Hex.encode(b))
        case .list(let items): return .array(items.map(json))
        }
    }
}
