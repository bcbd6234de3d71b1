import Chain

extension SystemContracts {
    /// The system contracts every ProverNet node runs, with `verifier` checking submitted proofs.
    public static func provernet(verifier: any ProofVerifier) -> SystemContracts {
        SystemContracts([StakingContract(), MarketContract(verifier: verifier), GovernanceContract()],
                        shared: FrameworkParameter.allCases.map(\.definition), parameterOrder: parameterOrder)
    }

    /// The contracts with no proof verifier (nothing can be settled); the parameters, namespaces
    /// and state are the same as with one, so this is what reads, genesis and tools use.
    public static let provernet = provernet(verifier: NoProofVerifier())
}
