import Foundation
import JSON
import Primitives
import SystemContracts

/// Where a sealed bid's fee and nonce are kept between `bid` and `reveal`, written durably
/// before the bid is sent (a lost connection must not lose the nonce of a bid that lands):
/// one JSON file per (request, prover) in `directory`.
public struct BidSecretStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// A committed bid's secret.
    public struct Secret: Sendable, Equatable {
        public var requestId: UInt256
        public var prover: Address
        public var fee: UInt256
        public var nonce: [UInt8]
        /// keccak256(requestId, prover, fee, nonce): what `bid` commits to.
        public var bidHash: Hash32 { MarketContract.bidHash(requestId: requestId, prover: prover, fee: fee, nonce: nonce) }

        public init(requestId: UInt256, prover: Address, fee: UInt256, nonce: [UInt8]) {
            self.requestId = requestId
            self.prover = prover
            self.fee = fee
            self.nonce = nonce
        }

        /// A fresh secret with a random 32-byte nonce.
        public static func random(requestId: UInt256, prover: Address, fee: UInt256) -> Secret {
            var rng = SystemRandomNumberGenerator()
            return Secret(requestId: requestId, prover: prover, fee: fee, nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    /// The file of the bid on `requestId` by `prover`.
    public func path(requestId: UInt256, prover: Address) -> String {
        (directory as NSString).appendingPathComponent("\(requestId)-\(Hex.encode(prover.bytes)).json")
    }

    /// Writes `secret` and syncs it to disk (atomically: a crash leaves the old file or the new one).
    public func save(_ secret: Secret) throws(ClientError) {
        let p = path(requestId: secret.requestId, prover: secret.prover)
        let record = JSONValue.object([
            ("requestId", .string(secret.requestId.description)), ("prover", .string(secret.prover.checksummed)),
            ("fee", .string(secret.fee.description)), ("nonce", .string(Hex.encode(secret.nonce))),
            ("bidHash", .string(secret.bidHash.description)),
        ])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let tmp = p + ".tmp"
            let bytes = Array(record.text.utf8)
            // createFile empties an existing file.
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let fh = FileHandle(forWritingAtPath: tmp) else {
                throw ClientError("cannot create \(tmp)")
            }
            try fh.write(contentsOf: bytes)
            try fh.synchronize()
            try fh.close()
            if FileManager.default.fileExists(atPath: p) { try FileManager.default.removeItem(atPath: p) }
            try FileManager.default.moveItem(atPath: tmp, toPath: p)
        } catch let e as ClientError { throw e } catch {
            throw ClientError("cannot save the bid to \(p): \(error)")
        }
    }

    /// The saved secret of the bid on `requestId` by `prover`; nil when none was saved.
    public func load(requestId: UInt256, prover: Address) throws(ClientError) -> Secret? {
        let p = path(requestId: requestId, prover: prover)
        guard let data = FileManager.default.contents(atPath: p) else { return nil }
        guard let o = try? JSONValue.parse(Array(data)),
              let fee = o["fee"]?.stringValue.flatMap({ UInt256(decimal: $0) }),
              let nonce = o["nonce"]?.stringValue.flatMap({ try? Hex.decode($0) }), nonce.count == 32 else {
            throw ClientError("malformed saved bid at \(p)")
        }
        return Secret(requestId: requestId, prover: prover, fee: fee, nonce: nonce)
    }
}
