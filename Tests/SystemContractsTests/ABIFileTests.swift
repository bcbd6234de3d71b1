import Foundation
import SystemContracts
import Testing

/// `Genesis/abi/*.json` must describe the contracts exactly. Regenerate with
/// `PROVERNET_WRITE_ABI=1 swift test --filter ABIFileTests` (then format with `python3 -m json.tool`).
@Suite struct ABIFileTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Genesis/abi")

    @Test(arguments: ["Staking", "Market", "Governance"])
    func abiFileMatchesTheContract(name: String) throws {
        let contract: any ABIContract = switch name {
        case "Staking": StakingContract()
        case "Market": MarketContract()
        default: GovernanceContract()
        }
        let url = Self.dir.appendingPathComponent("\(name).json")
        let generated = contract.abiJSON.text
        if ProcessInfo.processInfo.environment["PROVERNET_WRITE_ABI"] != nil {
            try FileManager.default.createDirectory(at: Self.dir, withIntermediateDirectories: true)
            try generated.write(to: url, atomically: true, encoding: .utf8)
        }
        let onDisk = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! NSArray
        let expected = try JSONSerialization.jsonObject(with: Data(generated.utf8)) as! NSArray
        #expect(onDisk == expected, "Genesis/abi/\(name).json is stale")
    }
}
