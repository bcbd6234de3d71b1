import ABI
import ArgumentParser
import Primitives

/// `provernet abi encode|decode`: the Solidity ABI codec from the command line.
struct ABICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "Encode or decode Solidity ABI data.",
        subcommands: [Encode.self, Decode.self, Selector.self])

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a JSON array of values as the given types.",
            discussion: "Example: provernet abi encode 'uint256,(bool,bytes)[]' '[\"5\", [[true, \"0x01\"]]]'")
        @Argument(help: "Comma-separated types, e.g. uint256,address,string[].") var types: String
        @Argument(help: "JSON array of values (integers as strings), or - for stdin lines.") var values: String
        func run() throws {
            let parsed = try ABIType.parseList(types)
            try forEachInput(values) { text in Hex.encode(try ABI.encode(types: parsed, jsonValues: text)) }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode ABI data as the given types to a JSON array.")
        @Argument(help: "Comma-separated types.") var types: String
        @Argument(help: "ABI data as hex, or - for stdin lines.") var data: String
        func run() throws {
            let parsed = try ABIType.parseList(types)
            try forEachInput(data) { text in ABI.jsonText(of: try ABI.decode(parsed, from: try Hex.decode(text))) }
        }
    }

    struct Selector: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The 4-byte selector of a function signature.")
        @Argument(help: "Signature, e.g. transfer(address,uint256).") var signature: String
        func run() throws { print(Hex.encode(ABI.selector(signature))) }
    }
}
