import ABI
import ArgumentParser
import Chain
import Foundation
import JSON
import Keystore
import Primitives
import Secp256k1
import SystemContracts
import Transactions

// `provernet stake | request | program | bid | reveal | refund | slash | vote | propose`: wallet
// helpers that sign with a keystore key and send system-contract calls to a node over JSON-RPC.

// MARK: Shared options and the sender

/// Options every wallet helper takes: the node, the keystore, the sending account and its password.
struct WalletOptions: ParsableArguments {
    @Option(help: "The node's JSON-RPC URL.") var rpc: String = "http://127.0.0.1:8545"
    @OptionGroup var keys: AccountCommand.KeystoreOptions
    @Option(help: "The sending account (default: the only key in the keystore).") var from: String?

    /// The decrypted key for `--from`, or the keystore's only key.
    func key() throws -> PrivateKey {
        let dir = keys.directory
        var address: Address?
        if let from {
            do { address = try Address(hex: from) } catch { throw CLIError("bad --from address \(from): \(error)") }
        } else {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let found = Set(files.compactMap { f in
                FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(f)).flatMap { Keystore.address(of: $0) }
            })
            if found.isEmpty { throw CLIError("no keys in \(dir): create one with `provernet account new` or `import`") }
            if found.count > 1 { throw CLIError("\(found.count) keys in \(dir): choose one with --from") }
            address = found.first
        }
        let password = try keys.password(confirm: false)
        do { return try loadKey(keystore: dir, address: address, password: password) } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError("cannot decrypt the key for \(address?.checksummed ?? "?"): \(error)")
        }
    }

    /// A sender for these options (decrypts the key).
    func sender() throws -> TransactionSender {
        TransactionSender(client: try RPCClient(url: rpc), key: try key())
    }
}

/// One decoded event log: the event and its named values.
struct DecodedEvent {
    /// The event's name, e.g. `ProofRequested`.
    let name: String
    /// Parameter names and values, in declaration order (an indexed dynamic value is its hash).
    let values: [(name: String, value: ABIValue)]

    /// The value named `name`.
    subscript(_ name: String) -> ABIValue? { values.first { $0.name == name }?.value }

    /// `Name(param=value, …)`.
    var text: String { "\(name)(\(values.map { "\($0.name)=\(formatABI($0.value))" }.joined(separator: ", ")))" }
}

/// A human-readable ABI value: decimal integers, checksummed addresses, hex bytes, quoted strings.
func formatABI(_ v: ABIValue) -> String {
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

/// The system contracts' events by topic 0, for decoding receipts.
let systemEvents: [Hash32: EventSpec] = {
    var table: [Hash32: EventSpec] = [:]
    for e in StakingContract().events + MarketContract().events + GovernanceContract().events { table[e.topic] = e }
    return table
}()

/// Decodes a receipt log with the system contracts' event ABIs; nil for unknown events.
func decodeLog(topics: [Hash32], data: [UInt8]) -> DecodedEvent? {
    guard let t0 = topics.first, let spec = systemEvents[t0] else { return nil }
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

/// The outcome of a mined transaction.
struct SentTransaction {
    /// The transaction hash.
    let hash: String
    /// The decoded system-contract events, in log order.
    let events: [DecodedEvent]
}

/// Builds, signs and sends EIP-1559 transactions with one key, and waits for their receipts.
struct TransactionSender {
    /// The node.
    let client: RPCClient
    /// The signing key.
    let key: PrivateKey
    /// Seconds to wait for a receipt.
    var receiptTimeout: Double = 60

    /// The sender's address.
    var address: Address { key.address }

    /// Sends a call of `signature` with `args` and `value` wei to `to`; prints the hash, status, gas
    /// used and decoded events. A revert (in estimation or on chain) throws with its reason.
    func send(to: Address, signature: String, _ args: [ABIValue], value: UInt256 = .zero) throws -> SentTransaction {
        let data: [UInt8]
        do { data = try ABI.encodeCall(signature: signature, args) } catch { throw CLIError("cannot encode \(signature): \(error)") }
        let callObject = JSONValue.object([
            ("from", .string(address.checksummed)), ("to", .string(to.checksummed)), ("value", .string(value.hexString)),
            ("data", .string(Hex.encode(data))),
        ])
        let chainID = try client.quantity("eth_chainId")
        let nonce = try client.quantity("eth_getTransactionCount", [.string(address.checksummed), "pending"])
        let gasPrice = try client.quantity("eth_gasPrice")
        let tip = (try? client.quantity("eth_maxPriorityFeePerGas")) ?? .zero
        let maxFee = gasPrice * 2 + tip
        let estimate: UInt256
        do { estimate = try client.quantity("eth_estimateGas", [callObject]) } catch let e as RPCClientError {
            throw CLIError("\(signature) would fail: \(Self.reason(e))")
        }
        guard let chain = chainID.uint64, let n = nonce.uint64, let est = estimate.uint64 else {
            throw CLIError("the node answered out-of-range chain id, nonce or gas")
        }
        let gasLimit = est + est / 5
        let tx = Transaction.dynamicFee(chainID: chain, nonce: n, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                                        gasLimit: gasLimit, to: to, value: value, data: data)
        let signed = tx.signed(with: key)
        let hash: String
        do {
            hash = try client.call("eth_sendRawTransaction", [.string(Hex.encode(signed.encoded))]).stringValue
                ?? signed.hash.description
        } catch let e as RPCClientError {
            throw CLIError("the node refused the transaction: \(e.message)")
        }
        print("tx \(hash)")
        let receipt = try waitForReceipt(hash)
        let status = receipt["status"]?.stringValue.flatMap { UInt256(hex: $0) } ?? .zero
        let gasUsed = receipt["gasUsed"]?.stringValue.flatMap { UInt256(hex: $0) } ?? .zero
        let block = receipt["blockNumber"]?.stringValue ?? "latest"
        print("block \(UInt256(hex: block)?.description ?? block) status \(status.isZero ? "failed" : "success") gasUsed \(gasUsed)")
        if status.isZero {
            var why = "no reason given"
            do { _ = try client.call("eth_call", [callObject, .string(block)]) } catch let e as RPCClientError {
                why = Self.reason(e)
            } catch {}
            fflush(nil)  // the hash and status before the error on stderr
            throw CLIError("transaction \(hash) reverted: \(why)")
        }
        var events: [DecodedEvent] = []
        for log in receipt["logs"]?.arrayValue ?? [] {
            let topics = (log["topics"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { Hash32(hex: $0) } }
            let bytes = (try? Hex.decode(log["data"]?.stringValue ?? "0x")) ?? []
            if let e = decodeLog(topics: topics, data: bytes) {
                events.append(e)
                print("event \(e.text)")
            } else {
                print("log \(log.text)")
            }
        }
        return SentTransaction(hash: hash, events: events)
    }

    /// Polls `eth_getTransactionReceipt` until the receipt appears or the timeout passes.
    private func waitForReceipt(_ hash: String) throws -> JSONValue {
        let deadline = Date().addingTimeInterval(receiptTimeout)
        while Date() < deadline {
            let r = try client.call("eth_getTransactionReceipt", [.string(hash)])
            if !r.isNull { return r }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw CLIError("no receipt for \(hash) after \(Int(receiptTimeout)) s: is the node sealing blocks?")
    }

    /// The revert reason in an RPC error (decoded `Error(string)` data), or its message.
    static func reason(_ e: RPCClientError) -> String {
        if let hex = e.data?.stringValue, let bytes = try? Hex.decode(hex) {
            if let r = ABI.decodeRevertReason(bytes) { return r }
            if let code = ABI.decodePanicCode(bytes) { return "panic \(code.hexString)" }
        }
        return e.message
    }
}

// MARK: Argument parsing

/// Parses a BREV amount with up to 18 decimals (`1`, `1.5`, `.25`) into wei, exactly.
func parseBrev(_ text: String) throws -> UInt256 {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, !text.isEmpty, text != "." else { throw CLIError("bad amount \(text): expected BREV like 1.5") }
    let whole = parts[0], frac = parts.count == 2 ? parts[1] : ""
    guard whole.allSatisfy(\.isASCIIDigitChar), frac.allSatisfy(\.isASCIIDigitChar) else {
        throw CLIError("bad amount \(text): expected BREV like 1.5")
    }
    guard frac.count <= 18 else { throw CLIError("bad amount \(text): BREV has at most 18 decimals") }
    let digits = String(whole) + String(frac) + String(repeating: "0", count: 18 - frac.count)
    guard let wei = UInt256(decimal: digits) else { throw CLIError("amount \(text) is too large") }
    return wei
}

/// Parses an unsigned integer given in decimal or as 0x hex.
func parseUInt(_ text: String, _ what: String) throws -> UInt256 {
    let v = text.hasPrefix("0x") || text.hasPrefix("0X") ? UInt256(hex: text) : UInt256(decimal: text)
    guard let v else { throw CLIError("bad \(what) \(text): expected a decimal or 0x number") }
    return v
}

/// Parses an address argument.
func parseAddress(_ text: String, _ what: String) throws -> Address {
    do { return try Address(hex: text) } catch { throw CLIError("bad \(what) address \(text): \(error)") }
}

/// Parses exactly 32 bytes of hex.
func parseBytes32(_ text: String, _ what: String) throws -> [UInt8] {
    guard let b = try? Hex.decode(text), b.count == 32 else { throw CLIError("bad \(what) \(text): expected 32 bytes of hex") }
    return b
}

extension Character {
    /// Whether this is one of `0`…`9`.
    var isASCIIDigitChar: Bool { ("0"..."9").contains(self) }
}

// MARK: Staking

/// `provernet stake register | delegate | unstake | complete`.
struct StakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stake", abstract: "Register as a prover, delegate and unstake (staking contract 0x…1000).",
        subcommands: [Register.self, Delegate.self, Unstake.self, Complete.self])

    /// `registerProver(name, commissionBps)` with a self-stake.
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register the sender as a prover with a self-stake.")
        @OptionGroup var wallet: WalletOptions
        @Option(help: "The prover's name.") var name: String
        @Option(help: "Commission in basis points (0…10000).") var commission: UInt16
        @Option(help: "Self-stake in BREV (decimals allowed).") var amount: String
        func run() throws {
            let value = try parseBrev(amount)
            _ = try wallet.sender().send(to: Genesis.stakingAddress, signature: "registerProver(string,uint16)",
                                         [.string(name), .uint(UInt256(UInt64(commission)))], value: value)
        }
    }

    /// `stake(prover)`: delegates BREV to a prover's vault.
    struct Delegate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delegate BREV to a prover.")
        @OptionGroup var wallet: WalletOptions
        @Option(help: "The prover's address.") var prover: String
        @Option(help: "Amount in BREV (decimals allowed).") var amount: String
        func run() throws {
            let p = try parseAddress(prover, "prover"), value = try parseBrev(amount)
            _ = try wallet.sender().send(to: Genesis.stakingAddress, signature: "stake(address)", [.address(p)], value: value)
        }
    }

    /// `requestUnstake(prover, shares)`: starts the unbonding of vault shares.
    struct Unstake: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request to unstake vault shares from a prover.")
        @OptionGroup var wallet: WalletOptions
        @Option(help: "The prover's address.") var prover: String
        @Option(help: "Vault shares to unstake (decimal or 0x).") var shares: String
        func run() throws {
            let p = try parseAddress(prover, "prover"), s = try parseUInt(shares, "shares")
            _ = try wallet.sender().send(to: Genesis.stakingAddress, signature: "requestUnstake(address,uint256)",
                                         [.address(p), .uint(s)])
        }
    }

    /// `completeUnstake()`: withdraws released unstakes.
    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw the unstakes whose release block has passed.")
        @OptionGroup var wallet: WalletOptions
        func run() throws {
            _ = try wallet.sender().send(to: Genesis.stakingAddress, signature: "completeUnstake()", [])
        }
    }
}

// MARK: Market

/// `provernet request`: `requestProof` with the max fee escrowed; prints the request id.
struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Request a proof of a registered program (market contract 0x…1001).")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The program id (32 bytes hex).") var program: String
    @Option(help: "The program input as hex.") var input: String = "0x"
    @Option(help: "The most the request pays, in BREV (escrowed).") var maxFee: String
    @Option(help: "The least stake a prover needs, in BREV.") var minStake: String
    @Option(help: "The proof deadline, in blocks from now.") var deadlineIn: UInt64
    func run() throws {
        let programId = try parseBytes32(program, "program id")
        guard let inputBytes = try? Hex.decode(input) else { throw CLIError("bad --input \(input): expected hex") }
        let fee = try parseBrev(maxFee), stake = try parseBrev(minStake)
        let sender = try wallet.sender()
        let head = try sender.client.quantity("eth_blockNumber")
        guard let h = head.uint64 else { throw CLIError("the node's block number is out of range") }
        let sent = try sender.send(to: MarketContract.contractAddress, signature: "requestProof(bytes32,bytes,uint256,uint64)",
                                   [.fixedBytes(programId), .bytes(inputBytes), .uint(stake), .uint(UInt256(h + deadlineIn))],
                                   value: fee)
        guard let id = sent.events.first(where: { $0.name == "ProofRequested" })?["requestId"] else {
            throw CLIError("no ProofRequested event in the receipt")
        }
        print("requestId \(formatABI(id))")
    }
}

/// `provernet program register`: stores a guest ELF; prints the program id.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program", abstract: "Register guest programs with the market.", subcommands: [Register.self])

    /// `registerProgram(elf)`.
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a RISC-V ELF; prints its program id.")
        @OptionGroup var wallet: WalletOptions
        @Option(help: "The ELF file.") var elf: String
        func run() throws {
            guard let data = FileManager.default.contents(atPath: elf) else { throw CLIError("cannot read \(elf)") }
            let sent = try wallet.sender().send(to: MarketContract.contractAddress, signature: "registerProgram(bytes)",
                                                [.bytes(Array(data))])
            guard let id = sent.events.first(where: { $0.name == "ProgramRegistered" })?["programId"] else {
                throw CLIError("no ProgramRegistered event in the receipt")
            }
            print("programId \(formatABI(id))")
        }
    }
}

/// Where a bid's fee and nonce are kept between `bid` and `reveal`: `KEYSTORE/bids/<requestId>-<address>.json`.
func bidFile(keystore: String, requestId: UInt256, prover: Address) -> String {
    let dir = (keystore as NSString).appendingPathComponent("bids")
    return (dir as NSString).appendingPathComponent("\(requestId)-\(Hex.encode(prover.bytes)).json")
}

/// `provernet bid`: commits `keccak256(requestId, prover, fee, nonce)`; saves fee and nonce for `reveal`.
struct BidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bid", abstract: "Commit a sealed bid on a request (the fee and nonce are saved for reveal).")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    @Option(help: "The fee in wei.") var fee: String
    @Option(help: "The bid's nonce (32 bytes hex; random by default).") var nonce: String?
    func run() throws {
        let id = try parseUInt(request, "request id"), feeWei = try parseUInt(fee, "fee")
        var nonceBytes: [UInt8]
        if let nonce { nonceBytes = try parseBytes32(nonce, "nonce") } else {
            var rng = SystemRandomNumberGenerator()
            nonceBytes = (0..<32).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        }
        let sender = try wallet.sender()
        let hash = MarketContract.bidHash(requestId: id, prover: sender.address, fee: feeWei, nonce: nonceBytes)
        print("nonce \(Hex.encode(nonceBytes))")
        // Saved before sending, so a lost connection does not lose the nonce of a bid that lands.
        let path = bidFile(keystore: wallet.keys.directory, requestId: id, prover: sender.address)
        let record = JSONValue.object([
            ("requestId", .string(id.description)), ("prover", .string(sender.address.checksummed)),
            ("fee", .string(feeWei.description)), ("nonce", .string(Hex.encode(nonceBytes))), ("bidHash", .string(hash.description)),
        ])
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(record.text.utf8).write(to: URL(fileURLWithPath: path))
        } catch { throw CLIError("cannot save the bid to \(path): \(error)") }
        print("saved \(path)")
        _ = try sender.send(to: MarketContract.contractAddress, signature: "bid(uint256,bytes32)", [.uint(id), .fixedBytes(hash.bytes)])
    }
}

/// `provernet reveal`: reveals a bid with the saved (or given) fee and nonce.
struct RevealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reveal", abstract: "Reveal a sealed bid (fee and nonce from `provernet bid`'s file unless given).")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    @Option(help: "The fee in wei (default: the saved bid's).") var fee: String?
    @Option(help: "The nonce (default: the saved bid's).") var nonce: String?
    func run() throws {
        let id = try parseUInt(request, "request id")
        let sender = try wallet.sender()
        var feeWei = try fee.map { try parseUInt($0, "fee") }
        var nonceBytes = try nonce.map { try parseBytes32($0, "nonce") }
        if feeWei == nil || nonceBytes == nil {
            let path = bidFile(keystore: wallet.keys.directory, requestId: id, prover: sender.address)
            guard let data = FileManager.default.contents(atPath: path), let saved = try? JSONValue.parse(Array(data)) else {
                throw CLIError("no saved bid at \(path): pass --fee and --nonce")
            }
            if feeWei == nil { feeWei = saved["fee"]?.stringValue.flatMap { UInt256(decimal: $0) } }
            if nonceBytes == nil { nonceBytes = saved["nonce"]?.stringValue.flatMap { try? Hex.decode($0) } }
            guard feeWei != nil, let n = nonceBytes, n.count == 32 else { throw CLIError("malformed saved bid at \(path)") }
        }
        _ = try sender.send(to: MarketContract.contractAddress, signature: "reveal(uint256,uint256,bytes32)",
                            [.uint(id), .uint(feeWei!), .fixedBytes(nonceBytes!)])
    }
}

/// `provernet refund`: returns an expired request's escrow to its requester.
struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refund", abstract: "Refund a request that got no proof.")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    func run() throws {
        let id = try parseUInt(request, "request id")
        _ = try wallet.sender().send(to: MarketContract.contractAddress, signature: "refund(uint256)", [.uint(id)])
    }
}

/// `provernet slash`: slashes the prover that missed a request's deadline.
struct SlashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slash", abstract: "Slash a prover that missed its deadline.")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    func run() throws {
        let id = try parseUInt(request, "request id")
        _ = try wallet.sender().send(to: MarketContract.contractAddress, signature: "slash(uint256)", [.uint(id)])
    }
}

// MARK: Governance

/// `provernet vote`: votes on a proposal with the sender's stake.
struct VoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vote", abstract: "Vote on a governance proposal (0x…1002).")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The proposal id.") var proposal: String
    @Option(help: "yes or no.") var support: String
    func run() throws {
        let id = try parseUInt(proposal, "proposal id")
        let yes: Bool
        switch support.lowercased() {
        case "yes", "y", "true": yes = true
        case "no", "n", "false": yes = false
        default: throw CLIError("bad --support \(support): expected yes or no")
        }
        _ = try wallet.sender().send(to: GovernanceContract.contractAddress, signature: "vote(uint256,bool)", [.uint(id), .bool(yes)])
    }
}

/// `provernet propose`: proposes a new value for a protocol parameter, with a deposit.
struct ProposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "propose", abstract: "Propose a protocol parameter change.")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The parameter's name.") var param: String
    @Option(help: "The new value (decimal or 0x).") var value: String
    @Option(help: "What the change is for.") var description: String
    @Option(help: "The deposit in BREV.") var deposit: String
    func run() throws {
        let v = try parseUInt(value, "value"), d = try parseBrev(deposit)
        let sent = try wallet.sender().send(to: GovernanceContract.contractAddress, signature: "propose(string,uint256,string)",
                                            [.string(param), .uint(v), .string(description)], value: d)
        if let id = sent.events.first(where: { $0.name == "ProposalCreated" })?["proposalId"] { print("proposalId \(formatABI(id))") }
    }
}
