"""Transactions against eth-account: decode what it signs, and have it recover what we sign."""
import json
import random

from eth_account import Account
from eth_utils import to_checksum_address

from conftest import parse_json_lines

N = 1000  # per transaction kind
rng = random.Random(0xB4E7)


def rand_addr():
    return to_checksum_address(bytes(rng.getrandbits(8) for _ in range(20)))


def rand_data():
    kind = rng.random()
    if kind < 0.2:
        return b""
    n = rng.choice([1, 4, 36, 68, 100, 300, 1200])
    return bytes(rng.getrandbits(8) if rng.random() < 0.7 else 0 for _ in range(n))


def rand_access_list():
    return [
        {"address": rand_addr(),
         "storageKeys": ["0x" + bytes(rng.getrandbits(8) for _ in range(32)).hex() for _ in range(rng.randint(0, 3))]}
        for _ in range(rng.randint(0, 3))
    ]


def rand_value():
    return rng.choice([0, 1, 127, 128, 255, 256, 10**18, rng.getrandbits(64), rng.getrandbits(128), 2**256 - 1])


def rand_tx(kind):
    tx = {
        "nonce": rng.choice([0, 1, 127, 128, rng.getrandbits(16), rng.getrandbits(63)]),
        "gas": rng.randint(21000, 30_000_000),
        "to": rand_addr(),
        "value": rand_value(),
        "data": rand_data(),
    }
    chain_id = rng.choice([1, 70001, 0x11171, rng.randint(1, 2**32), rng.randint(1, 2**52)])
    if kind == "legacy155":
        tx.update(gasPrice=rng.getrandbits(rng.choice([8, 40, 64, 100])), chainId=chain_id)
    elif kind == "legacy":
        tx.update(gasPrice=rng.getrandbits(rng.choice([8, 40, 64])))
    elif kind == "eip2930":
        tx.update(type=1, gasPrice=rng.getrandbits(40), chainId=chain_id, accessList=rand_access_list())
    else:
        tip = rng.getrandbits(rng.choice([8, 32, 40]))
        tx.update(type=2, maxPriorityFeePerGas=tip, maxFeePerGas=tip + rng.getrandbits(40), chainId=chain_id,
                  accessList=rand_access_list())
    return tx


KINDS = ["legacy", "legacy155", "eip2930", "eip1559"]


def test_decode_transactions_signed_by_eth_account(provernet):
    for kind in KINDS:
        signed, expected = [], []
        for _ in range(N):
            acct = Account.from_key(bytes(rng.getrandbits(8) for _ in range(31)) + b"\x01")
            tx = rand_tx(kind)
            s = acct.sign_transaction(tx)
            signed.append("0x" + s.raw_transaction.hex())
            expected.append((acct.address, "0x" + s.hash.hex(), tx))
        out = parse_json_lines(provernet(["tx", "decode"], signed))
        for got, (addr, h, tx) in zip(out, expected):
            assert "error" not in got, (kind, got, tx)
            assert got["from"] == addr
            assert got["hash"] == h
            assert int(got["nonce"], 16) == tx["nonce"]
            assert int(got["value"], 16) == tx["value"]
            assert int(got["gas"], 16) == tx["gas"]
            assert got["to"] == tx["to"]
            assert bytes.fromhex(got["input"][2:]) == tx["data"]
            if "chainId" in tx:
                assert int(got["chainId"], 16) == tx["chainId"]
            else:
                assert "chainId" not in got
            if kind == "eip1559":
                assert int(got["maxFeePerGas"], 16) == tx["maxFeePerGas"]
                assert int(got["maxPriorityFeePerGas"], 16) == tx["maxPriorityFeePerGas"]
            if "accessList" in tx:
                assert [(e["address"], e["storageKeys"]) for e in got["accessList"]] == \
                       [(e["address"], [k.lower() for k in e["storageKeys"]]) for e in tx["accessList"]]


def test_eth_account_recovers_transactions_signed_here(provernet):
    for kind in KINDS:
        requests, expected = [], []
        for _ in range(N):
            key = bytes(rng.getrandbits(8) for _ in range(31)) + b"\x02"
            tx = rand_tx(kind)
            req = {k: (v if not isinstance(v, int) else str(v)) for k, v in tx.items() if k != "data"}
            req["data"] = "0x" + tx["data"].hex()
            if "type" in tx:
                req["type"] = tx["type"]
            req["privateKey"] = "0x" + key.hex()
            requests.append(json.dumps(req))
            expected.append((Account.from_key(key), tx))
        out = parse_json_lines(provernet(["tx", "sign"], requests))
        for got, (acct, tx) in zip(out, expected):
            assert "error" not in got, got
            raw = bytes.fromhex(got["raw"][2:])
            assert Account.recover_transaction(raw) == acct.address
            # RFC 6979 makes signing deterministic: eth-account produces the very same bytes.
            theirs = acct.sign_transaction(tx)
            assert theirs.raw_transaction == raw
            assert "0x" + theirs.hash.hex() == got["hash"]
            assert got["from"] == acct.address


def test_rejections_carry_geth_texts(provernet):
    acct = Account.from_key(b"\x11" * 32)
    good = acct.sign_transaction(rand_tx("eip1559"))
    raw = "0x" + good.raw_transaction.hex()
    cases = [
        "0x",                      # empty
        "0x03" + raw[4:],          # unsupported type
        raw + "00",                # trailing byte
        raw[:-10],                 # truncated
        "0xzz",                    # not hex
    ]
    out = parse_json_lines(provernet(["tx", "decode"], cases, expect_ok=False))
    assert all("error" in o for o in out), out
    assert out[0]["error"] == "typed transaction too short"
    assert out[1]["error"] == "transaction type not supported"
    assert "trailing" in out[2]["error"]
