"""kill -9 while serving: every block the node reported as committed survives, unchanged.

Starts `provernet node --dev` on a fresh datadir with a short block time, keeps sending signed
transfers over JSON-RPC, records each `block N HASH txs=K` line the node prints (it prints after
the block's write batch is synced), SIGKILLs it at random moments several times, restarts it on
the same datadir, and checks that every reported block is there with the same hash, that the
chain went on from where it was, and that `provernet replay` re-executes it all."""
import json
import random
import subprocess
import threading
import time

from eth_account import Account
from eth_utils import to_checksum_address

from provernet_node import CHAIN_ID, DEV_KEYS, DevNode, binary

SENDERS = [Account.from_key(k) for k in DEV_KEYS[:3]]
TO = to_checksum_address("0x0000000000000000000000000000000000000bad")


def keep_sending(node, stop, sent):
    """Sends transfers round-robin from the senders until `stop` is set or the node dies."""
    nonces = {}
    while not stop.is_set():
        for acct in SENDERS:
            try:
                if acct.address not in nonces:
                    nonces[acct.address] = int(node.rpc("eth_getTransactionCount", [acct.address, "pending"], timeout=2)["result"], 16)
                signed = acct.sign_transaction({"to": TO, "value": 1, "gas": 21000, "maxFeePerGas": 100 * 10**9,
                                                "maxPriorityFeePerGas": 10**9, "nonce": nonces[acct.address],
                                                "chainId": CHAIN_ID})
                r = node.rpc("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex().removeprefix("0x")], timeout=2)
                if "result" in r:
                    nonces[acct.address] += 1
                    sent[0] += 1
                else:
                    nonces.pop(acct.address)  # resynchronise (pool full, nonce too low, …)
                    time.sleep(0.02)
            except Exception:
                if stop.is_set():
                    return
                time.sleep(0.05)
                nonces.clear()
        time.sleep(0.005)


def test_kill9_keeps_every_reported_block(tmp_path):
    datadir = str(tmp_path / "data")
    rng = random.Random(20261128)
    reported = {}
    with_txs = 0
    sent = [0]
    rounds = rng.randint(3, 5)
    for round_ in range(rounds + 1):
        node = DevNode(datadir, block_time=0.1).start()
        # After a restart the node resumes on top of everything it reported before.
        head = int(node.rpc("eth_blockNumber")["result"], 16)
        assert head >= max(reported, default=0), f"round {round_}: head {head} below reported {max(reported)}"
        for number, block_hash in reported.items():
            got = node.rpc("eth_getBlockByNumber", [hex(number), False])["result"]
            assert got is not None, f"block {number} lost"
            assert got["hash"] == block_hash, f"block {number} changed"
        if round_ == rounds:
            node.stop()
            break
        stop = threading.Event()
        sender = threading.Thread(target=keep_sending, args=(node, stop, sent), daemon=True)
        sender.start()
        time.sleep(rng.uniform(0.6, 2.0))
        node.kill()
        stop.set()
        sender.join(5)
        # Only lines printed before the kill count; each is printed after its block is durable.
        for number, block_hash in node.blocks.items():
            assert reported.get(number, block_hash) == block_hash, f"block {number} reported twice with different hashes"
            reported[number] = block_hash
            with_txs += node.block_txs.get(number, 0) > 0
    assert len(reported) >= 10, f"only {len(reported)} blocks reported"
    assert sent[0] > 0 and with_txs > 0, f"{sent[0]} transactions sent, {with_txs} blocks with transactions"
    print(f"{rounds} kills, {len(reported)} blocks reported ({with_txs} with transactions), {sent[0]} transactions accepted")
    out = subprocess.run([binary(), "replay", "--datadir", datadir], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "every root matches" in out.stdout
