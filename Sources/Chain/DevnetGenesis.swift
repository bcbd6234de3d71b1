// The devnet genesis embedded in the binary, so `provernet` runs with no files around it.
// Must equal Genesis/devnet.json byte for byte (a test checks); regenerate with
// Tools/codegen/embed_genesis.py after editing that file.

extension Genesis {
    /// `Genesis/devnet.json`, as shipped.
    public static let devnetJSON = #"""
{
  "comment": "ProverNet devnet. The keys here are the public development keys anvil and hardhat print: never use them for value.",
  "chainId": 70001,
  "timestamp": 1764547200,
  "extraData": "0x70726f7665726e6574206465766e6574",
  "gasLimit": 30000000,
  "baseFeePerGas": "1000000000",
  "blockTime": 1,
  "sealer": {
    "address": "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    "devPrivateKey": "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"
  },
  "alloc": {
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": {
      "balance": "10000000000000000000000"
    },
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": {
      "balance": "10000000000000000000000"
    },
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC": {
      "balance": "10000000000000000000000"
    },
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906": {
      "balance": "10000000000000000000000"
    },
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65": {
      "balance": "10000000000000000000000"
    },
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc": {
      "balance": "10000000000000000000000"
    },
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9": {
      "balance": "10000000000000000000000"
    },
    "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955": {
      "balance": "10000000000000000000000"
    },
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f": {
      "balance": "10000000000000000000000"
    },
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720": {
      "balance": "10000000000000000000000"
    }
  },
  "provers": [
    {
      "address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      "name": "devnet-prover-1",
      "stake": "2000000000000000000000",
      "commissionBps": 500
    },
    {
      "address": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      "name": "devnet-prover-2",
      "stake": "2000000000000000000000",
      "commissionBps": 1000
    }
  ],
  "params": {
    "protocolFeeBps": 250,
    "minSelfStake": "1000000000000000000000",
    "overcommitBps": 5000,
    "biddingBlocks": 5,
    "revealBlocks": 5,
    "minMaxFee": "1000000000000000",
    "maxMaxFee": "1000000000000000000000000",
    "maxDeadlineBlocks": 1000,
    "slashBps": 5000,
    "maxSlashBps": 1000,
    "slashWindowBlocks": 100,
    "reporterRewardBps": 1000,
    "jailBlocks": 100,
    "unstakeDelayBlocks": 50,
    "maxInputBytes": 65536,
    "votingBlocks": 20,
    "quorumBps": 3000,
    "thresholdBps": 5000,
    "minDeposit": "100000000000000000000",
    "gasSystemCall": 20000,
    "gasStake": 40000,
    "gasRegisterProgram": 100000,
    "gasPerProgramByte": 8,
    "gasRequestProof": 60000,
    "gasBid": 30000,
    "gasSubmitProof": 100000,
    "gasPerProofByte": 16,
    "gasSettle": 30000,
    "gasGovernance": 50000
  }
}
"""#
}
