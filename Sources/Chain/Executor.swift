import Primitives
import Transactions

/// Why a transaction cannot be included in a block (it is skipped when building, and makes an
/// imported block invalid). Texts as geth's.
public enum InclusionError: Error, Equatable, Sendable, CustomStringConvertible {
    case nonceTooLow(have: UInt64, want: UInt64)
    case nonceTooHigh(have: UInt64, want: UInt64)
    case gasLimitReached
    case feeCapBelowBaseFee
    case intrinsicGasTooLow
    case insufficientFunds
    case invalid(TransactionError)

    public var description: String {
        switch self {
        case .nonceTooLow: return "nonce too low"
        case .nonceTooHigh: return "nonce too high"
        case .gasLimitReached: return "gas limit reached"
        case .feeCapBelowBaseFee: return "max fee per gas less than block base fee"
        case .intrinsicGasTooLow: return "intrinsic gas too low"
        case .insufficientFunds: return "insufficient funds for gas * price + value"
        case .invalid(let e): return e.description
        }
    }
}

/// Applies transactions to a ``WorldState`` under Ethereum's rules: nonce, intrinsic gas,
/// EIP-1559 fees (base fee burned, tip to the sealer), value transfer or system-contract call.
public struct Executor: Sendable {
    public let contracts: SystemContracts

    public init(contracts: SystemContracts) { self.contracts = contracts }

    /// Runs one transaction whose sender is already recovered. Returns its receipt; throws
    /// ``InclusionError`` (changing nothing) when it cannot be included.
    public func apply(_ tx: SignedTransaction, sender: Address, state: WorldState, context: BlockContext,
                      gasUsedSoFar: UInt64) throws -> Receipt {
        let t = tx.transaction
        let acct = try state.account(sender)
        if t.nonce < acct.nonce { throw InclusionError.nonceTooLow(have: t.nonce, want: acct.nonce) }
        if t.nonce > acct.nonce { throw InclusionError.nonceTooHigh(have: t.nonce, want: acct.nonce) }
        if t.gasLimit > context.gasLimit - gasUsedSoFar { throw InclusionError.gasLimitReached }
        if t.maxFeePerGas < context.baseFee { throw InclusionError.feeCapBelowBaseFee }
        let intrinsic = t.intrinsicGas
        if t.gasLimit < intrinsic { throw InclusionError.intrinsicGasTooLow }
        guard let to = t.to else { throw InclusionError.invalid(.contractCreation) }
        // Balance must cover gasLimit × feeCap + value (geth's buyGas check).
        guard let maxCost = UInt256(t.gasLimit).checkedMul(t.maxFeePerGas), let need = maxCost.checkedAdd(t.value),
              acct.balance >= need else { throw InclusionError.insufficientFunds }

        let price = t.effectiveGasPrice(baseFee: context.baseFee)
        let prepaid = UInt256(t.gasLimit) * price
        _ = try state.subBalance(sender, prepaid)
        var a = try state.account(sender)
        a.nonce += 1
        state.setAccount(sender, a)

        var gasUsed = intrinsic
        var status = true
        var logs: [Log] = []
        var revertData: [UInt8] = []
        let checkpoint = state.checkpoint()
        if let contract = contracts.byAddress[to] {
            do {
                let out = try Executor.call(contract, SystemCall(caller: sender, value: t.value, input: t.data,
                                                                 gasAvailable: t.gasLimit - intrinsic, isTransaction: true),
                                            state: state, context: context)
                gasUsed += out.gasUsed
                logs = out.logs
            } catch let r as Revert {
                state.revert(to: checkpoint)
                status = false
                gasUsed += min(r.gasUsed, t.gasLimit - intrinsic)
                revertData = r.data
            }
        } else {
            // Covered by the balance check above.
            _ = try state.subBalance(sender, t.value)
            try state.addBalance(to, t.value)
        }

        // Refund unused gas; burn the base fee; pay the tip to the sealer.
        try state.addBalance(sender, UInt256(t.gasLimit - gasUsed) * price)
        state.burn(UInt256(gasUsed) * context.baseFee)
        try state.addBalance(context.coinbase, UInt256(gasUsed) * (price - context.baseFee))

        return Receipt(type: t.type, status: status, cumulativeGasUsed: gasUsedSoFar + gasUsed, gasUsed: gasUsed,
                       effectiveGasPrice: price, logs: logs, from: sender, revertData: revertData)
    }

    /// Runs a call into a system contract: the value moves to the contract, then the contract
    /// runs within `call.gasAvailable`. The one contract path of transactions and dry runs
    /// (`eth_call`); the caller rolls the state back on a revert.
    /// A failure to read or write the state is not a revert: it is thrown as it is and aborts
    /// the block.
    static func call(_ contract: any SystemContract, _ call: SystemCall, state: WorldState,
                     context: BlockContext) throws -> CallOutcome {
        guard try state.subBalance(call.caller, call.value) else { throw Revert("insufficient balance", gasUsed: 0) }
        try state.addBalance(contract.address, call.value)
        let out = try contract.call(call, state: state, context: context)
        guard out.gasUsed <= call.gasAvailable else { throw Revert("out of gas", gasUsed: call.gasAvailable) }
        return out
    }

    /// Runs the system contracts' end-of-block work.
    public func endBlock(state: WorldState, context: BlockContext) throws -> [Log] {
        var logs: [Log] = []
        for c in contracts.ordered { logs += try c.endBlock(state: state, context: context) }
        return logs
    }
}
