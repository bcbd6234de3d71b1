/// The devnet's public development keys (anvil's and hardhat's; funded by `Genesis/devnet.json`):
/// never use them for value.
public enum DevKeys {
    /// Accounts 0–3 (1 and 2 are the genesis provers).
    public static let accounts = [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    ]
    /// The genesis sealer's development key.
    public static let sealer = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"
}
