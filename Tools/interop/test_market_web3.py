"""The market's system contracts through web3.py against a real `provernet node --dev`.

Contracts are loaded from `Genesis/abi/*.json` with `w3.eth.contract`; one scenario runs a full
request -> sealed bids -> reveals -> assignment -> refund -> slash cycle, a delegation, and a
governance vote that changes a parameter, checking the `provernet_*` views along the way and
reading every event back through `eth_getLogs`, decoded with the contract ABI."""
import asyncio
import json
import os
import struct
import threading
import time

import pytest
from eth_abi.packed import encode_packed
from eth_account import Account
from web3 import AsyncWeb3, Web3, WebSocketProvider

from provernet_node import CHAIN_ID, DEV_KEYS, DevNode, binary

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUESTER, PROVER1, PROVER2, DELEGATOR = (Account.from_key(k) for k in DEV_KEYS)
BREV = 10**18
STAKING = "0x0000000000000000000000000000000000001000"
MARKET = "0x0000000000000000000000000000000000001001"
GOVERNANCE = "0x0000000000000000000000000000000000001002"


def tiny_elf():
    """An RV32 ELF: one PT_LOAD at 0x00200800 with `li t0, 0; ecall` (HALT)."""
    code = struct.pack("<II", 0x00000293, 0x00000073) + b"\0\0\0\0"
    header = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIIIIIHHHHHH", 2, 0xF3, 1, 0x00200800, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 84, 0x00200800, 0x00200800, len(code), len(code), 5, 4)
    return header + phdr + code


def check_proof_against_registered_program(node, elf, program_id):
    """`provernet verify --program-id` alone fetches the registered ELF over RPC and checks the
    proof against it; an unregistered id, or a proof for other input, fails with the reason."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        elf_path, proof_path = os.path.join(d, "tiny.elf"), os.path.join(d, "tiny.proof")
        with open(elf_path, "wb") as f:
            f.write(elf)
        subprocess.run([binary(), "prove", "--elf", elf_path, "--out", proof_path, "--segment-cycles", "64"],
                       check=True, capture_output=True, text=True, timeout=300)
        ok = subprocess.run([binary(), "verify", "--proof", proof_path, "--program-id", program_id, "--rpc", node.url],
                            capture_output=True, text=True, timeout=300)
        assert ok.returncode == 0, ok.stderr
        out = json.loads(ok.stdout)
        assert out["valid"] is True and out["claims"]["programId"] == program_id
        assert out["claims"]["cycles"] == 2 and out["claims"]["exitCode"] == 0
        assert float(out["securityBits"]) >= 100
        unknown = "0x" + "11" * 32
        bad = subprocess.run([binary(), "verify", "--proof", proof_path, "--program-id", unknown, "--rpc", node.url],
                             capture_output=True, text=True, timeout=300)
        assert bad.returncode != 0 and "not registered" in bad.stderr
        other_input = subprocess.run([binary(), "verify", "--proof", proof_path, "--program-id", program_id,
                                      "--rpc", node.url, "--input", "0x01"], capture_output=True, text=True, timeout=300)
        assert other_input.returncode != 0 and "invalid proof" in other_input.stderr


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    n = DevNode(str(tmp_path_factory.mktemp("market-web3") / "data"), block_time=0.2).start()
    yield n
    assert n.stop() == 0, n.lines[-20:]


@pytest.fixture(scope="module")
def w3(node):
    w = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 30}))
    assert w.is_connected()
    return w


def load(w3, name, address):
    with open(os.path.join(ROOT, "Genesis", "abi", f"{name}.json")) as f:
        return w3.eth.contract(address=Web3.to_checksum_address(address), abi=json.load(f))


class Sender:
    """Signs and sends contract calls with locally tracked nonces."""

    def __init__(self, w3):
        self.w3 = w3
        self.nonces = {}

    def send(self, account, fn, value=0):
        if account.address not in self.nonces:
            self.nonces[account.address] = self.w3.eth.get_transaction_count(account.address)
        tx = fn.build_transaction({
            "from": account.address, "nonce": self.nonces[account.address], "value": value, "gas": 2_000_000,
            "maxFeePerGas": 100 * 10**9, "maxPriorityFeePerGas": 10**9, "chainId": CHAIN_ID,
        })
        self.nonces[account.address] += 1
        return self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)

    def wait(self, tx_hash):
        r = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.05)
        assert r.status == 1, r
        return r


def rpc(node, method, *params):
    r = node.rpc(method, list(params))
    assert "error" not in r, r
    return r["result"]


def wait_until(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(0.05)
    raise TimeoutError("condition not reached")


def logs(w3, event, address, from_block=0):
    """The event's logs through eth_getLogs (filtered by its topic), decoded with the ABI."""
    topic = Web3.keccak(text=event.abi["name"] + "(" + ",".join(i["type"] for i in event.abi["inputs"]) + ")")
    raw = w3.eth.get_logs({"fromBlock": from_block, "toBlock": "latest", "address": address, "topics": [topic]})
    return [event.process_log(l) for l in raw]


class LogSubscription:
    """An `eth_subscribe("logs")` over WebSocket with web3.py, collecting notifications on a thread."""

    def __init__(self, node, addresses):
        self.logs, self.ready, self.stop = [], threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run(node.ws_url, addresses)), daemon=True)
        self.thread.start()
        assert self.ready.wait(30), self.error

    async def run(self, url, addresses):
        try:
            async with AsyncWeb3(WebSocketProvider(url)) as aw3:
                sub = await aw3.eth.subscribe("logs", {"address": addresses})
                self.ready.set()
                async def collect():
                    async for msg in aw3.socket.process_subscriptions():
                        if msg["subscription"] == sub:
                            self.logs.append(msg["result"])
                task = asyncio.ensure_future(collect())
                while not self.stop.is_set():
                    await asyncio.sleep(0.05)
                task.cancel()
        except Exception as e:  # surfaced by the test's asserts
            self.error = e
            self.ready.set()

    def close(self):
        self.stop.set()
        self.thread.join(10)


def end_of_block_log_fields_are_consistent(w3, log):
    """An end-of-block log: transactionHash is the block hash, transactionIndex one past the last transaction."""
    block = w3.eth.get_block(log["blockNumber"])
    assert log["transactionHash"] == block["hash"], log
    assert log["transactionIndex"] == len(block["transactions"]), log
    assert log["blockHash"] == block["hash"]


def test_market_cycle_delegation_and_governance(node, w3):
    staking, market, gov = load(w3, "Staking", STAKING), load(w3, "Market", MARKET), load(w3, "Governance", GOVERNANCE)
    s = Sender(w3)
    # End-of-block events reach log filters (polled) and `logs` subscriptions (pushed), not only eth_getLogs.
    assigned_filter = market.events.RequestAssigned.create_filter(from_block="latest")
    closed_filter = w3.eth.filter({"address": GOVERNANCE})
    subscription = LogSubscription(node, [MARKET, GOVERNANCE])
    params = rpc(node, "provernet_params")
    assert int(params["biddingBlocks"], 16) == 5 and int(params["revealBlocks"], 16) == 5
    min_self_stake = int(params["minSelfStake"], 16)
    assert min_self_stake == 1000 * BREV
    provers = {p["address"] for p in rpc(node, "provernet_listProvers")}
    assert provers == {PROVER1.address, PROVER2.address}
    assert rpc(node, "provernet_getProver", PROVER1.address)["status"] == "active"

    # A program.
    elf = tiny_elf()
    r = s.wait(s.send(REQUESTER, market.functions.registerProgram(elf)))
    registered = market.events.ProgramRegistered().process_receipt(r)[0]
    program_id = registered.args.programId
    assert registered.args.size == len(elf)
    assert rpc(node, "provernet_getProgram", "0x" + program_id.hex())["registrant"] == REQUESTER.address
    estimate = rpc(node, "provernet_estimateFee", "0x" + program_id.hex(), "0x0102")
    assert estimate["basis"] == "minimum" and int(estimate["cycles"], 16) == 2
    check_proof_against_registered_program(node, elf, "0x" + program_id.hex())

    # A governance proposal, voted on while the auction runs (votes from the genesis provers).
    r = s.wait(s.send(REQUESTER, gov.functions.propose("protocolFeeBps", 300, "raise the protocol fee"),
                      value=int(params["minDeposit"], 16)))
    proposal = gov.events.ProposalCreated().process_receipt(r)[0].args
    pid = proposal.proposalId
    votes = [s.send(PROVER1, gov.functions.vote(pid, True)), s.send(PROVER2, gov.functions.vote(pid, True))]

    # A request: maxFee escrowed, minStake = minSelfStake, deadline past bidding + reveal.
    max_fee = BREV
    deadline = w3.eth.block_number + 20
    r = s.wait(s.send(REQUESTER, market.functions.requestProof(program_id, b"\x01\x02", min_self_stake, deadline), value=max_fee))
    requested = market.events.ProofRequested().process_receipt(r)[0].args
    rid = requested.requestId
    req = rpc(node, "provernet_getRequest", hex(rid))
    assert req["state"] == "pending" and req["phase"] == "bidding" and req["winner"] is None

    # Sealed bids from both provers: the hash binds requestId, prover, fee and nonce.
    fee1, fee2 = 3 * BREV // 10, 5 * BREV // 10
    nonce1, nonce2 = b"\x01" * 32, b"\x02" * 32

    def bid_hash(prover, fee, nonce):
        return Web3.keccak(encode_packed(["uint256", "address", "uint256", "bytes32"], [rid, prover.address, fee, nonce]))

    bids = [s.send(PROVER1, market.functions.bid(rid, bid_hash(PROVER1, fee1, nonce1))),
            s.send(PROVER2, market.functions.bid(rid, bid_hash(PROVER2, fee2, nonce2)))]
    for h in bids + votes:
        s.wait(h)
    assert rpc(node, "provernet_getRequest", hex(rid))["bidCount"] == "0x2"

    wait_until(lambda: rpc(node, "provernet_getRequest", hex(rid))["phase"] == "reveal")
    reveals = [s.send(PROVER1, market.functions.reveal(rid, fee1, nonce1)),
               s.send(PROVER2, market.functions.reveal(rid, fee2, nonce2))]
    for h in reveals:
        s.wait(h)

    # Assignment at the end of the reveal phase: lowest fee wins, paid the second-lowest.
    wait_until(lambda: rpc(node, "provernet_getRequest", hex(rid))["phase"] == "proving")
    req = rpc(node, "provernet_getRequest", hex(rid))
    assert req["winner"] == PROVER1.address and int(req["fee"], 16) == fee2
    assigned = logs(w3, market.events.RequestAssigned(), MARKET)
    assert [(a.args.requestId, a.args.prover, a.args.fee) for a in assigned] == [(rid, PROVER1.address, fee2)]
    polled = assigned_filter.get_new_entries()
    assert [(a.args.requestId, a.args.prover, a.args.fee) for a in polled] == [(rid, PROVER1.address, fee2)]
    end_of_block_log_fields_are_consistent(w3, polled[0])
    assert polled[0].logIndex == assigned[0].logIndex and polled[0].transactionHash == assigned[0].transactionHash
    assert assigned_filter.get_new_entries() == []
    listed = rpc(node, "provernet_listRequests", {"phase": "proving"})
    assert [x["id"] for x in listed["requests"]] == [hex(rid)]
    estimate = rpc(node, "provernet_estimateFee", "0x" + program_id.hex(), "0x")
    assert estimate["basis"] == "recent" and int(estimate["fee"], 16) == fee2

    # No proof by the deadline: refund, then slash within the window.
    wait_until(lambda: w3.eth.block_number > deadline)
    before = w3.eth.get_balance(REQUESTER.address)
    r = s.wait(s.send(DELEGATOR, market.functions.refund(rid)))
    refunded = market.events.RequestRefunded().process_receipt(r)[0].args
    assert refunded.requester == REQUESTER.address and refunded.amount == max_fee
    assert w3.eth.get_balance(REQUESTER.address) == before + max_fee
    r = s.wait(s.send(DELEGATOR, market.functions.slash(rid)))
    slashed = market.events.ProverSlashed().process_receipt(r)[0].args
    assert slashed.prover == PROVER1.address and slashed.reporter == DELEGATOR.address and slashed.amount > 0
    assert rpc(node, "provernet_getRequest", hex(rid))["state"] == "slashed"
    assert rpc(node, "provernet_getProver", PROVER1.address)["status"] == "jailed"

    # A delegation to the other prover.
    r = s.wait(s.send(DELEGATOR, staking.functions.stake(PROVER2.address), value=10 * BREV))
    staked = staking.events.Staked().process_receipt(r)[0].args
    assert staked.staker == DELEGATOR.address and staked.prover == PROVER2.address and staked.amount == 10 * BREV
    shares, value, pending = staking.functions.getStake(DELEGATOR.address, PROVER2.address).call()
    assert shares == staked.shares and value == 10 * BREV and pending == 0

    # The proposal passes and applies from the next block.
    end = proposal.endBlock
    wait_until(lambda: w3.eth.block_number > end + 1)
    assert rpc(node, "provernet_getProposal", hex(pid))["status"] == "passed"
    assert int(rpc(node, "provernet_params")["protocolFeeBps"], 16) == 300

    # Every event, back through eth_getLogs and decoded with the ABI.
    assert [e.args.voter for e in logs(w3, gov.events.Voted(), GOVERNANCE)] == [PROVER1.address, PROVER2.address]
    closed = logs(w3, gov.events.ProposalClosed(), GOVERNANCE)
    assert [(c.args.proposalId, c.args.status) for c in closed] == [(pid, 1)]
    changed = logs(w3, gov.events.ParameterChanged(), GOVERNANCE)
    assert [(c.args.param, c.args.oldValue, c.args.newValue) for c in changed] == [("protocolFeeBps", 250, 300)]
    assert [e.args.programId for e in logs(w3, market.events.ProgramRegistered(), MARKET)] == [program_id]
    assert [e.args.requestId for e in logs(w3, market.events.ProofRequested(), MARKET)] == [rid]
    assert sorted(e.args.prover for e in logs(w3, market.events.BidCommitted(), MARKET)) == sorted([PROVER1.address, PROVER2.address])
    assert {e.args.prover: e.args.fee for e in logs(w3, market.events.BidRevealed(), MARKET)} == {
        PROVER1.address: fee1, PROVER2.address: fee2}
    assert [e.args.amount for e in logs(w3, market.events.RequestRefunded(), MARKET)] == [max_fee]
    assert [e.args.reporter for e in logs(w3, market.events.ProverSlashed(), MARKET)] == [DELEGATOR.address]
    assert [e.args.staker for e in logs(w3, staking.events.Staked(), STAKING)] == [DELEGATOR.address]

    # The same end-of-block events through filter polling and the WebSocket subscription.
    topic_closed = Web3.keccak(text="ProposalClosed(uint256,uint8,uint256,uint256)")
    topic_changed = Web3.keccak(text="ParameterChanged(string,uint256,uint256)")
    entries = closed_filter.get_new_entries()
    polled_closed = [l for l in entries if l["topics"][0] == topic_closed]
    polled_changed = [l for l in entries if l["topics"][0] == topic_changed]
    assert len(polled_closed) == 1 and len(polled_changed) == 1, entries
    for l in polled_closed + polled_changed:
        end_of_block_log_fields_are_consistent(w3, l)
    wait_until(lambda: any(l["topics"][0] == topic_changed for l in subscription.logs), timeout=10)
    subscription.close()
    assert subscription.error is None, subscription.error
    pushed = {bytes(l["topics"][0]): l for l in subscription.logs}
    topic_assigned = Web3.keccak(text="RequestAssigned(uint256,address,uint256)")
    for topic in (topic_assigned, topic_closed, topic_changed):
        assert bytes(topic) in pushed, f"no pushed log with topic {topic.hex()}"
        end_of_block_log_fields_are_consistent(w3, pushed[bytes(topic)])
    pushed_assigned = market.events.RequestAssigned().process_log(pushed[bytes(topic_assigned)])
    assert (pushed_assigned.args.requestId, pushed_assigned.args.prover) == (rid, PROVER1.address)
