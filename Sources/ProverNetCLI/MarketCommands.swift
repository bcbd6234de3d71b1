import ABI
import ArgumentParser
import Chain
import Foundation
import JSON
import Keystore
import Primitives
import Secp256k1
import SystemContracts
import ProverNetClient
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

    /// A client signing with these options' key (decrypts it).
    func sender() throws -> WalletSender {
        WalletSender(client: ProverNetClient(rpc: try RPCClient(url: rpc), key: try key()))
    }

    /// The bid secrets of the keystore: `KEYSTORE/bids/<requestId>-<address>.json`.
    var bids: BidSecretStore { BidSecretStore(directory: (keys.directory as NSString).appendingPathComponent("bids")) }
}

/// The wallet commands' view of ``ProverNetClient``: sends a call and prints what happened.
struct WalletSender {
    let client: ProverNetClient

    var address: Address { client.address! }

    /// Sends `method(args)` with `value` wei; prints the hash, the block, status, gas used and
    /// the decoded events. A revert (in estimation or on chain) throws with its reason.
    @discardableResult
    func send(_ method: ContractCall.Method, _ args: [ABIValue], value: UInt256 = .zero) throws -> ProverNetClient.Sent {
        let sent: ProverNetClient.Sent
        do {
            sent = try client.send(ContractCall(method, args, value: value)) { hash in
                print("tx \(hash)")
                fflush(nil)
            }
        } catch let e as ClientError {
            fflush(nil)  // the hash before the error on stderr
            throw CLIError(e.description)
        }
        print("block \(sent.blockNumber.map(String.init) ?? "?") status success gasUsed \(sent.gasUsed)")
        for log in sent.logs {
            if let e = EventDecoder.decode(log: log) { print("event \(e.text)") } else { print("log \(log.text)") }
        }
        return sent
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
            _ = try wallet.sender().send(ContractInterface.staking.method("registerProver"),
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
            _ = try wallet.sender().send(ContractInterface.staking.method("stake"), [.address(p)], value: value)
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
            _ = try wallet.sender().send(ContractInterface.staking.method("requestUnstake"),
                                         [.address(p), .uint(s)])
        }
    }

    /// `completeUnstake()`: withdraws released unstakes.
    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw the unstakes whose release block has passed.")
        @OptionGroup var wallet: WalletOptions
        func run() throws {
            _ = try wallet.sender().send(ContractInterface.staking.method("completeUnstake"), [])
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
        let h: UInt64
        do { h = try sender.client.blockNumber() } catch { throw CLIError("\(error)") }
        let sent = try sender.send(ContractInterface.market.method("requestProof"),
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
            let sent = try wallet.sender().send(ContractInterface.market.method("registerProgram"),
                                                [.bytes(Array(data))])
            guard let id = sent.events.first(where: { $0.name == "ProgramRegistered" })?["programId"] else {
                throw CLIError("no ProgramRegistered event in the receipt")
            }
            print("programId \(formatABI(id))")
        }
    }
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
        let sender = try wallet.sender()
        var secret = BidSecretStore.Secret.random(requestId: id, prover: sender.address, fee: feeWei)
        if let nonce { secret.nonce = try parseBytes32(nonce, "nonce") }
        print("nonce \(Hex.encode(secret.nonce))")
        // Saved before sending, so a lost connection does not lose the nonce of a bid that lands.
        let store = wallet.bids
        do { try store.save(secret) } catch { throw CLIError(error.description) }
        print("saved \(store.path(requestId: id, prover: sender.address))")
        try sender.send(ContractInterface.market.method("bid"), [.uint(id), .fixedBytes(secret.bidHash.bytes)])
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
            let store = wallet.bids
            let saved: BidSecretStore.Secret?
            do { saved = try store.load(requestId: id, prover: sender.address) } catch { throw CLIError(error.description) }
            guard let saved else {
                throw CLIError("no saved bid at \(store.path(requestId: id, prover: sender.address)): pass --fee and --nonce")
            }
            feeWei = feeWei ?? saved.fee
            nonceBytes = nonceBytes ?? saved.nonce
        }
        try sender.send(ContractInterface.market.method("reveal"), [.uint(id), .uint(feeWei!), .fixedBytes(nonceBytes!)])
    }
}

/// `provernet refund`: returns an expired request's escrow to its requester.
struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refund", abstract: "Refund a request that got no proof.")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    func run() throws {
        let id = try parseUInt(request, "request id")
        _ = try wallet.sender().send(ContractInterface.market.method("refund"), [.uint(id)])
    }
}

/// `provernet slash`: slashes the prover that missed a request's deadline.
struct SlashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slash", abstract: "Slash a prover that missed its deadline.")
    @OptionGroup var wallet: WalletOptions
    @Option(help: "The request id.") var request: String
    func run() throws {
        let id = try parseUInt(request, "request id")
        _ = try wallet.sender().send(ContractInterface.market.method("slash"), [.uint(id)])
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
        _ = try wallet.sender().send(ContractInterface.governance.method("vote"), [.uint(id), .bool(yes)])
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
        let sent = try wallet.sender().send(ContractInterface.governance.method("propose"),
                                            [.string(param), .uint(v), .string(description)], value: d)
        if let id = sent.events.first(where: { $0.name == "ProposalCreated" })?["proposalId"] { print("proposalId \(formatABI(id))") }
    }
}
