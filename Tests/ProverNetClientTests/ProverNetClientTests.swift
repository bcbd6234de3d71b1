import ABI
import Foundation
import Primitives
import ProverNetClient
import SystemContracts
import Testing

@Suite("ProverNetClient")
struct ProverNetClientTests {
    /// Calldata comes from the contract's own method spec: the same bytes as encoding the
    /// Solidity signature by hand.
    @Test func callsAreDerivedFromTheContractsSpecs() throws {
        let bid = try ContractInterface.market.method("bid")
        #expect(bid.contract == MarketContract.contractAddress)
        #expect(bid.signature == "bid(uint256,bytes32)")
        let args: [ABIValue] = [.uint(7), .fixedBytes([UInt8](repeating: 9, count: 32))]
        #expect(try ContractCall(bid, args).calldata() == ABI.encodeCall(signature: "bid(uint256,bytes32)", args))
        let register = try ContractInterface.staking.method("registerProver")
        #expect(register.signature == "registerProver(string,uint16)")
        #expect(register.contract == StakingContract().address)
        #expect(try ContractInterface.governance.method("vote").signature == "vote(uint256,bool)")
    }

    @Test func wrongMethodsAndArgumentsAreErrors() throws {
        #expect(throws: ClientError.self) { try ContractInterface.market.method("bdi") }
        let bid = try ContractInterface.market.method("bid")
        #expect(throws: ClientError.self) { try ContractCall(bid, [.uint(1)]).calldata() }
        #expect(throws: ClientError.self) { try ContractCall(bid, [.string("x"), .uint(1)]).calldata() }
    }

    @Test func eventsDecodeWithTheContractsSpecs() throws {
        let log = MarketContract.requestAssigned.log(address: MarketContract.contractAddress,
                                                     [.uint(5), .address(Address(low: 0xabc)), .uint(1234)])
        let e = try #require(EventDecoder.decode(topics: log.topics, data: log.data))
        #expect(e.name == "RequestAssigned")
        #expect(e["requestId"]?.uintValue == 5 || e.values.first?.value.uintValue == 5)
        #expect(e.values.contains { $0.value.addressValue == Address(low: 0xabc) })
        #expect(EventDecoder.topic(named: "RequestAssigned") == MarketContract.requestAssigned.topic)
        #expect(EventDecoder.decode(topics: [Hash32.keccak256([1])], data: []) == nil)
        #expect(EventDecoder.decode(topics: log.topics, data: [1, 2, 3]) == nil, "truncated data")
    }

    @Test func bidSecretsSurviveAndMalformedFilesAreErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bids-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = BidSecretStore(directory: dir)
        let prover = Address(low: 0x55)
        #expect(try store.load(requestId: 3, prover: prover) == nil)
        let secret = BidSecretStore.Secret.random(requestId: 3, prover: prover, fee: 99)
        try store.save(secret)
        #expect(try store.load(requestId: 3, prover: prover) == secret)
        #expect(secret.bidHash == MarketContract.bidHash(requestId: 3, prover: prover, fee: 99, nonce: secret.nonce))
        var again = secret
        again.fee = 100
        try store.save(again)
        #expect(try store.load(requestId: 3, prover: prover) == again, "a second save replaces the first")
        try Data("{\"fee\": \"1\"}".utf8).write(to: URL(fileURLWithPath: store.path(requestId: 4, prover: prover)))
        #expect(throws: ClientError.self) { try store.load(requestId: 4, prover: prover) }
    }

    @Test func badURLsAreRefused() {
        #expect(throws: RPCClientError.self) { try ProverNetClient(url: "ftp://x") }
        #expect(throws: RPCClientError.self) { try ProverNetClient(url: "not a url") }
    }
}
