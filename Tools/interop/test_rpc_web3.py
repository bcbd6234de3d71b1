"""web3.py, eth-account and websockets against a real `provernet node --dev` (JSON-RPC interop).

Everything goes through the libraries unchanged: chain id, balances, nonces, building and signing
EIP-1559 / legacy / EIP-2930 transactions, receipts, blocks by number and hash, fee history, logs,
filters, a WebSocket newHeads subscription, batches, and every rejection with geth's text, with the
state unchanged by each rejected call."""
import asyncio
import json
import socket

import pytest
from eth_account import Account
from web3 import AsyncWeb3, Web3
from web3.exceptions import Web3RPCError
from web3.middleware import SignAndSendRawMiddlewareBuilder
from web3.providers.persistent import WebSocketProvider

from provernet_node import CHAIN_ID, DEV_KEYS, DevNode

ALICE, BOB, CAROL, DAVE = (Account.from_key(k) for k in DEV_KEYS)
STRANGER = Account.from_key("0x" + "11" * 32)
ETHER = 10**18
RECEIPT_TIMEOUT = 30


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    n = DevNode(str(tmp_path_factory.mktemp("rpc-web3") / "data"), block_time=0.25).start()
    yield n
    assert n.stop() == 0, n.lines[-20:]


@pytest.fixture(scope="module")
def w3(node):
    w = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 30}))
    assert w.is_connected()
    return w


def wait(w3, tx_hash):
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=0.05)


def test_identity(w3, node):
    assert w3.eth.chain_id == CHAIN_ID
    assert w3.net.version == str(CHAIN_ID)
    assert w3.net.listening is True
    assert w3.net.peer_count == 0
    assert w3.eth.syncing is False
    assert w3.eth.accounts == []
    assert w3.client_version.startswith("ProverNet/v")
    assert w3.keccak(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert node.rpc("web3_sha3", ["0x616263"])["result"] == \
        "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


def test_balances_and_nonces(w3):
    assert w3.eth.get_balance(ALICE.address, "earliest") == 10_000 * ETHER
    assert w3.eth.get_balance(STRANGER.address) == 0
    assert w3.eth.get_transaction_count(STRANGER.address) == 0
    assert w3.eth.get_transaction_count(STRANGER.address, "pending") == 0
    assert w3.eth.get_code(ALICE.address) == b""
    assert w3.eth.get_storage_at(ALICE.address, 0) == b"\x00" * 32


def check_transaction_fields(tx, receipt, signed_type):
    assert tx["type"] == signed_type
    for field in ("blockHash", "blockNumber", "from", "gas", "gasPrice", "hash", "input", "nonce", "to",
                  "transactionIndex", "value", "v", "r", "s"):
        assert field in tx, field
    if signed_type != 0:
        assert tx["chainId"] == CHAIN_ID
        assert tx["yParity"] == tx["v"]
        assert "accessList" in tx
    assert tx["blockHash"] == receipt["blockHash"]
    assert tx["blockNumber"] == receipt["blockNumber"]
    assert tx["transactionIndex"] == receipt["transactionIndex"]


def test_eip1559_transfer_via_signing_middleware(w3):
    """web3 fills gas (eth_estimateGas), fees (eth_maxPriorityFeePerGas + base fee), nonce and chain id."""
    w = Web3(Web3.HTTPProvider(w3.provider.endpoint_uri))
    w.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(ALICE), layer=0)
    before = w.eth.get_balance(BOB.address)
    nonce = w.eth.get_transaction_count(ALICE.address, "pending")
    tx_hash = w.eth.send_transaction({"from": ALICE.address, "to": BOB.address, "value": 12345})
    receipt = wait(w, tx_hash)
    assert receipt["status"] == 1
    assert receipt["type"] == 2
    assert receipt["gasUsed"] == 21000
    assert receipt["cumulativeGasUsed"] >= 21000
    assert receipt["from"] == ALICE.address
    assert receipt["to"] == BOB.address
    assert receipt["contractAddress"] is None
    assert receipt["logs"] == []
    assert len(receipt["logsBloom"]) == 256
    block = w.eth.get_block(receipt["blockNumber"])
    assert receipt["effectiveGasPrice"] == block["baseFeePerGas"] + w.eth.get_transaction(tx_hash)["maxPriorityFeePerGas"]
    tx = w.eth.get_transaction(tx_hash)
    check_transaction_fields(tx, receipt, 2)
    assert tx["nonce"] == nonce
    assert tx["maxFeePerGas"] >= tx["maxPriorityFeePerGas"]
    assert w.eth.get_balance(BOB.address) == before + 12345
    assert w.eth.get_transaction_count(ALICE.address) == nonce + 1


def test_legacy_and_access_list_transfers(w3):
    nonce = w3.eth.get_transaction_count(ALICE.address, "pending")
    gas_price = w3.eth.gas_price
    legacy = ALICE.sign_transaction({"to": CAROL.address, "value": 1, "gas": 21000, "gasPrice": gas_price,
                                     "nonce": nonce, "chainId": CHAIN_ID})
    access = ALICE.sign_transaction({"type": 1, "to": CAROL.address, "value": 2, "gas": 30000, "gasPrice": gas_price,
                                     "nonce": nonce + 1, "chainId": CHAIN_ID,
                                     "accessList": [{"address": BOB.address, "storageKeys": ["0x" + "00" * 32]}]})
    h1 = w3.eth.send_raw_transaction(legacy.raw_transaction)
    h2 = w3.eth.send_raw_transaction(access.raw_transaction)
    assert h1 == legacy.hash and h2 == access.hash
    r1, r2 = wait(w3, h1), wait(w3, h2)
    assert (r1["status"], r2["status"]) == (1, 1)
    assert (r1["type"], r2["type"]) == (0, 1)
    assert r2["gasUsed"] == 21000 + 2400 + 1900
    t1, t2 = w3.eth.get_transaction(h1), w3.eth.get_transaction(h2)
    check_transaction_fields(t1, r1, 0)
    check_transaction_fields(t2, r2, 1)
    assert t1["v"] in (CHAIN_ID * 2 + 35, CHAIN_ID * 2 + 36)
    assert t1["gasPrice"] == gas_price
    assert t2["accessList"][0]["address"] == BOB.address
    assert t1["input"] == b"" or t1["input"].hex() in ("", "0x")


def test_blocks_by_number_and_hash(w3):
    latest = w3.eth.get_block("latest")
    for field in ("number", "hash", "parentHash", "nonce", "sha3Uncles", "logsBloom", "transactionsRoot", "stateRoot",
                  "receiptsRoot", "miner", "difficulty", "totalDifficulty", "extraData", "size", "gasLimit", "gasUsed",
                  "timestamp", "transactions", "uncles", "baseFeePerGas", "mixHash"):
        assert field in latest, field
    assert latest["gasLimit"] == 30_000_000
    assert latest["uncles"] == []
    assert w3.eth.get_block(latest["hash"]) == latest
    assert w3.eth.get_block(latest["number"]) == latest
    parent = w3.eth.get_block(latest["parentHash"])
    assert parent["number"] == latest["number"] - 1
    genesis = w3.eth.get_block("earliest")
    assert genesis["number"] == 0 and genesis["baseFeePerGas"] == 10**9
    for tag in ("safe", "finalized", "pending"):
        assert w3.eth.get_block(tag)["number"] >= latest["number"]
    # A block with transactions, full and by hash.
    nonce = w3.eth.get_transaction_count(ALICE.address, "pending")
    signed = ALICE.sign_transaction({"to": DAVE.address, "value": 5, "gas": 21000, "maxFeePerGas": 100 * 10**9,
                                     "maxPriorityFeePerGas": 10**9, "nonce": nonce, "chainId": CHAIN_ID})
    receipt = wait(w3, w3.eth.send_raw_transaction(signed.raw_transaction))
    full = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    assert full["transactions"][receipt["transactionIndex"]]["hash"] == signed.hash
    assert w3.eth.get_block_transaction_count(receipt["blockHash"]) == len(full["transactions"])
    by_index = w3.eth.get_transaction_by_block(receipt["blockNumber"], receipt["transactionIndex"])
    assert by_index["hash"] == signed.hash
    assert w3.eth.get_transaction_receipt(signed.hash)["blockHash"] == full["hash"]
    assert w3.eth.get_block_receipts(receipt["blockNumber"])[receipt["transactionIndex"]]["transactionHash"] == signed.hash


def test_fee_history_and_prices(w3):
    assert w3.eth.max_priority_fee >= 1
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    assert w3.eth.gas_price >= w3.eth.max_priority_fee
    history = w3.eth.fee_history(4, "latest", [10, 50, 90])
    assert len(history["baseFeePerGas"]) == 5
    assert len(history["gasUsedRatio"]) == 4
    assert len(history["reward"]) == 4 and all(len(r) == 3 for r in history["reward"])
    assert history["baseFeePerGas"][-2] == base or history["oldestBlock"] + 3 != w3.eth.block_number
    assert all(0 <= r <= 1 for r in history["gasUsedRatio"])


def test_call_and_estimate(w3):
    assert w3.eth.call({"to": BOB.address, "from": ALICE.address, "value": 1}) == b""
    assert w3.eth.estimate_gas({"to": BOB.address, "from": ALICE.address, "value": 1}) == 21000
    assert w3.eth.estimate_gas({"to": BOB.address, "from": ALICE.address, "data": "0x0100"}) == 21000 + 16 + 4
    with pytest.raises(Web3RPCError) as e:
        w3.eth.estimate_gas({"to": BOB.address, "from": STRANGER.address, "value": 1})
    assert "insufficient funds" in str(e.value)


def test_logs_and_filters(w3, node):
    # No system contract runs yet, so there are no logs; the queries and filters still work.
    assert w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest"}) == []
    assert w3.eth.get_logs({"fromBlock": 0, "address": [ALICE.address, BOB.address],
                            "topics": [None, ["0x" + "ab" * 32, "0x" + "cd" * 32]]}) == []
    head = w3.eth.get_block("latest")
    assert w3.eth.get_logs({"blockHash": head["hash"]}) == []
    block_filter = w3.eth.filter("latest")
    pending_filter = w3.eth.filter("pending")
    log_filter = w3.eth.filter({"fromBlock": "latest", "address": BOB.address})
    start = w3.eth.block_number
    nonce = w3.eth.get_transaction_count(ALICE.address, "pending")
    signed = ALICE.sign_transaction({"to": BOB.address, "value": 1, "gas": 21000, "maxFeePerGas": 100 * 10**9,
                                     "maxPriorityFeePerGas": 10**9, "nonce": nonce, "chainId": CHAIN_ID})
    wait(w3, w3.eth.send_raw_transaction(signed.raw_transaction))
    node.wait_for_block(start + 2)
    hashes = block_filter.get_new_entries()
    assert len(hashes) >= 2
    assert w3.eth.get_block(hashes[0])["number"] == start + 1
    assert signed.hash in pending_filter.get_new_entries()
    assert pending_filter.get_new_entries() == []
    assert log_filter.get_new_entries() == []
    assert w3.eth.get_filter_logs(log_filter.filter_id) == []
    assert w3.eth.uninstall_filter(block_filter.filter_id) is True
    assert w3.eth.uninstall_filter(block_filter.filter_id) is False
    with pytest.raises(Web3RPCError) as e:
        w3.eth.get_filter_changes(block_filter.filter_id)
    assert "filter not found" in str(e.value)
    # A range over the limit is refused with a clear error.
    r = node.rpc("eth_newFilter", [{"fromBlock": "0x0", "toBlock": hex(20_000)}])
    assert r["error"]["code"] == -32005
    assert r["error"]["message"] == "block range too large: 20001 blocks, the limit is 10000"
    r = node.rpc("eth_getLogs", [{"fromBlock": "0x10", "toBlock": "0x1"}])
    assert r["error"] == {"code": -32000, "message": "invalid block range params"}


def account_state(w3, accounts):
    return [(w3.eth.get_balance(a.address), w3.eth.get_transaction_count(a.address),
             w3.eth.get_transaction_count(a.address, "pending")) for a in accounts]


def rejection(w3, raw):
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(raw)
    return e.value.rpc_response["error"]


def test_rejections_with_geth_texts_leave_state_unchanged(w3):
    # BOB's first transfer, mined.
    nonce = w3.eth.get_transaction_count(BOB.address, "pending")
    fees = {"gas": 21000, "maxFeePerGas": 100 * 10**9, "maxPriorityFeePerGas": 10**9, "chainId": CHAIN_ID}
    mined = BOB.sign_transaction({"to": CAROL.address, "value": 1, "nonce": nonce, **fees})
    wait(w3, w3.eth.send_raw_transaction(mined.raw_transaction))
    before = account_state(w3, [BOB, STRANGER, CAROL])
    cases = [
        (BOB.sign_transaction({"to": CAROL.address, "value": 2, "nonce": nonce, **fees}), "nonce too low"),
        (STRANGER.sign_transaction({"to": CAROL.address, "value": 1, "nonce": 0, **fees}),
         "insufficient funds for gas * price + value"),
        (BOB.sign_transaction({"to": CAROL.address, "value": 1, "nonce": nonce + 1, **{**fees, "chainId": 1}}),
         "invalid chain id"),
        (BOB.sign_transaction({"to": CAROL.address, "value": 1, "nonce": nonce + 1, **{**fees, "gas": 20000}}),
         "intrinsic gas too low"),
        (BOB.sign_transaction({"to": CAROL.address, "value": 1, "nonce": nonce + 1,
                               **{**fees, "maxFeePerGas": 1, "maxPriorityFeePerGas": 2}}),
         "max priority fee per gas higher than max fee per gas"),
        (BOB.sign_transaction({"to": CAROL.address, "value": 1, "nonce": nonce + 1, **{**fees, "maxPriorityFeePerGas": 0}}),
         "transaction underpriced"),
        (BOB.sign_transaction({"to": CAROL.address, "value": 10_001 * ETHER, "nonce": nonce + 1, **fees}),
         "insufficient funds for gas * price + value"),
    ]
    for signed, text in cases:
        err = rejection(w3, signed.raw_transaction)
        assert err == {"code": -32000, "message": text}, text
    # Already known: the same pending transaction twice (kept pending by a nonce gap).
    gapped = BOB.sign_transaction({"to": CAROL.address, "value": 3, "nonce": nonce + 5, **fees})
    w3.eth.send_raw_transaction(gapped.raw_transaction)
    assert rejection(w3, gapped.raw_transaction) == {"code": -32000, "message": "already known"}
    # Malformed bytes.
    assert rejection(w3, b"\x12\x34")["message"] == "transaction type not supported"
    assert rejection(w3, b"\xc0")["code"] == -32000
    after = account_state(w3, [BOB, STRANGER, CAROL])
    assert after == before


def test_batches_parse_errors_and_bad_input(w3, node):
    with w3.batch_requests() as batch:
        batch.add(w3.eth.get_block(0))
        batch.add(w3.eth.get_balance(ALICE.address, "earliest"))
        batch.add(w3.eth.get_transaction_count(STRANGER.address))
        genesis, balance, count = batch.execute()
    assert genesis["number"] == 0 and balance == 10_000 * ETHER and count == 0

    status, out = node.post(json.dumps([
        {"jsonrpc": "2.0", "id": "a", "method": "eth_chainId"},
        {"jsonrpc": "2.0", "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": None, "method": "eth_nope"},
        7,
    ]).encode())
    assert status == 200
    assert out == [
        {"jsonrpc": "2.0", "id": "a", "result": hex(CHAIN_ID)},
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32601, "message": "the method eth_nope does not exist/is not available"}},
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}},
    ]
    status, out = node.post(b"[]")
    assert out["error"] == {"code": -32600, "message": "empty batch"}
    status, out = node.post(b'{"jsonrpc":"2.0","id":1,"method":')
    assert status == 200 and out["id"] is None and out["error"]["code"] == -32700
    status, out = node.post(b"[" * 10000 + b"]" * 10000)
    assert out["error"]["code"] == -32700 and "nested deeper" in out["error"]["message"]
    status, out = node.post(json.dumps([{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(1001)]).encode())
    assert out["error"] == {"code": -32600, "message": "batch too large: 1001 requests, the limit is 1000"}
    status, out = node.post(b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (6 << 20) + b'"]}')
    assert status == 413 and out["error"]["code"] == -32005
    # Wrong parameter types and counts.
    assert node.rpc("eth_getBalance", [1])["error"] == {
        "code": -32602, "message": "invalid argument 0: cannot unmarshal number into address (0x-prefixed hex string)"}
    assert node.rpc("eth_getBalance", [])["error"]["message"] == "missing value for required argument 0"
    assert node.rpc("eth_blockNumber", [1])["error"]["message"] == "too many arguments, want at most 0"
    assert node.rpc("eth_getBlockByNumber", ["0x01", False])["error"]["message"] == \
        "invalid argument 0: hex number with leading zero digits"
    # A client that disconnects mid-request does not disturb the node.
    s = socket.create_connection(("127.0.0.1", node.port))
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"jsonrpc\":")
    s.close()
    assert w3.eth.chain_id == CHAIN_ID
    status, health = node.post(b"", headers={})  # POST with an empty body: a parse error, not a crash
    assert health["error"]["code"] == -32700


def test_evm_mine(w3, node):
    n = w3.eth.block_number
    assert node.rpc("evm_mine")["result"] == "0x0"
    assert w3.eth.block_number >= n + 1


def test_websocket_new_heads_and_pending(node):
    async def run():
        async with AsyncWeb3(WebSocketProvider(node.ws_url)) as aw3:
            assert await aw3.eth.chain_id == CHAIN_ID
            heads_id = await aw3.eth.subscribe("newHeads")
            pending_id = await aw3.eth.subscribe("newPendingTransactions")
            nonce = await aw3.eth.get_transaction_count(CAROL.address, "pending")
            signed = CAROL.sign_transaction({"to": DAVE.address, "value": 7, "gas": 21000, "maxFeePerGas": 100 * 10**9,
                                             "maxPriorityFeePerGas": 10**9, "nonce": nonce, "chainId": CHAIN_ID})
            await aw3.eth.send_raw_transaction(signed.raw_transaction)
            heads, pending = [], []
            async for msg in aw3.socket.process_subscriptions():
                if msg["subscription"] == heads_id:
                    heads.append(msg["result"])
                elif msg["subscription"] == pending_id:
                    pending.append(msg["result"])
                if len(heads) >= 3 and pending:
                    break
            assert [h["number"] for h in heads] == list(range(heads[0]["number"], heads[0]["number"] + 3))
            assert all("baseFeePerGas" in h and "hash" in h for h in heads)
            assert heads[1]["parentHash"] == heads[0]["hash"]
            assert signed.hash in pending
            assert await aw3.eth.unsubscribe(heads_id) is True
            assert await aw3.eth.unsubscribe(pending_id) is True
    asyncio.run(asyncio.wait_for(run(), 60))


def test_readme_five_line_transfer(node):
    """The web3.py example of the README, run as written there (with this node's URL)."""
    import contextlib
    import io
    import os
    import re
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) == 5
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.replace("http://127.0.0.1:8545", node.url), {})
    assert out.getvalue().strip() == "1"


def test_health_and_metrics(node):
    import urllib.request
    with urllib.request.urlopen(node.url + "/health", timeout=10) as r:
        health = json.loads(r.read())
    assert r.status == 200 and health["status"] == "ok" and health["chainId"] == hex(CHAIN_ID)
    with urllib.request.urlopen(node.url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    assert 'rpc_requests_total{method="eth_chainId"}' in text
    assert "chain_head_block" in text and "chain_block_build_seconds_bucket" in text and "txpool_pending" in text


def test_provernet_alone_runs_the_devnet(tmp_path):
    """`provernet` with no subcommand is `provernet dev`: the default datadir ($XDG_DATA_HOME/provernet) gets
    the devnet genesis, JSON-RPC serves it, the banner names the URL, chain id and accounts; SIGTERM stops it."""
    import os
    import re
    import signal
    import subprocess
    from provernet_node import binary
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    # Port 0 only so that the test never collides with a devnet already on 8545.
    proc = subprocess.Popen([binary(), "--rpc-port", "0", "--block-time", "0.2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        url = None
        while url is None:
            line = proc.stdout.readline()
            assert line, f"exited early: {proc.stderr.read()[-2000:]}"
            lines.append(line)
            m = re.match(r"^rpc (http://127\.0\.0\.1:\d+)", line)
            url = m.group(1) if m else None
        for _ in range(3):
            lines.append(proc.stdout.readline())
        banner = "".join(lines)
        assert "chain id 70001 (0x11171)" in banner
        assert str(tmp_path / "provernet") in banner
        assert "development accounts" in banner
        w3 = Web3(Web3.HTTPProvider(url))
        assert w3.eth.chain_id == CHAIN_ID
        assert w3.eth.get_balance(ALICE.address) == 10_000 * ETHER
        assert os.path.exists(tmp_path / "provernet" / "chaindata" / "CURRENT")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    assert "stopped at block" in err
