"""RLP against pyrlp and the ABI codec against eth-abi, on random values, both directions."""
import json
import random

import eth_abi
import rlp
from eth_utils import to_checksum_address

rng = random.Random(0x5EED)


# ---------- RLP ----------

def rand_item(depth=0):
    if depth < 4 and rng.random() < 0.35:
        return [rand_item(depth + 1) for _ in range(rng.choice([0, 1, 2, 3, 5, 20]))]
    n = rng.choice([0, 1, 1, 2, 55, 56, 57, 200, 1100])
    if n == 1:
        return bytes([rng.choice([0, 1, 0x7f, 0x80, 0xff])])
    return bytes(rng.getrandbits(8) for _ in range(n))


def to_json(item):
    return "0x" + item.hex() if isinstance(item, bytes) else [to_json(i) for i in item]


def test_rlp_agrees_with_pyrlp(provernet):
    items = [rand_item() for _ in range(1500)]
    ours = provernet(["rlp", "encode"], [json.dumps(to_json(i)) for i in items])
    theirs = ["0x" + rlp.encode(i).hex() for i in items]
    assert ours == theirs
    decoded = provernet(["rlp", "decode"], theirs)
    assert [json.loads(d) for d in decoded] == [to_json(i) for i in items]


def test_rlp_rejects_what_pyrlp_rejects(provernet):
    """Random single-byte mutations of valid encodings: when pyrlp's strict decoder refuses a
    mutant, ours refuses it too."""
    mutants = []
    for _ in range(1500):
        enc = bytearray(rlp.encode(rand_item()))
        if not enc:
            continue
        enc[rng.randrange(len(enc))] = rng.getrandbits(8)
        mutants.append(bytes(enc))
    out = provernet(["rlp", "decode"], ["0x" + m.hex() for m in mutants], expect_ok=False)
    for m, o in zip(mutants, out):
        try:
            rlp.decode(m, strict=True)
            pyrlp_ok = True
        except Exception:
            pyrlp_ok = False
        ours_ok = not o.startswith('{"error"')
        if not pyrlp_ok:
            assert not ours_ok, (m.hex(), o)
        if ours_ok:
            assert rlp.encode(rlp.decode(m)) == m


# ---------- ABI ----------

def rand_type(depth=0):
    r = rng.random()
    if depth < 2 and r < 0.12:
        return "(" + ",".join(rand_type(depth + 1) for _ in range(rng.randint(1, 3))) + ")"
    if depth < 2 and r < 0.24:
        return rand_type(depth + 1) + rng.choice(["[]", f"[{rng.randint(1, 3)}]"])
    return rng.choice(["uint256", "uint8", "uint64", "uint160", "int256", "int8", "int32", "address", "bool",
                       "bytes1", "bytes4", "bytes32", "bytes", "string"])


def split_top(t):
    parts, depth, cur = [], 0, ""
    for c in t:
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += c == "("
        depth -= c == ")"
        cur += c
    parts.append(cur)
    return parts


def rand_value(t):
    """Returns (python value for eth-abi, JSON value for provernet)."""
    if t.endswith("]"):
        base, _, n = t[:-1].rpartition("[")
        count = int(n) if n else rng.randint(0, 3)
        pairs = [rand_value(base) for _ in range(count)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if t.startswith("("):
        pairs = [rand_value(s) for s in split_top(t[1:-1])]
        return tuple(p[0] for p in pairs), [p[1] for p in pairs]
    if t.startswith("uint"):
        bits = int(t[4:])
        v = rng.choice([0, 1, 2**bits - 1, rng.getrandbits(bits)])
        return v, str(v)
    if t.startswith("int"):
        bits = int(t[3:])
        v = rng.choice([0, -1, 2**(bits - 1) - 1, -2**(bits - 1), rng.getrandbits(bits - 1) * rng.choice([1, -1])])
        return v, str(v)
    if t == "address":
        a = to_checksum_address(bytes(rng.getrandbits(8) for _ in range(20)))
        return a, a.lower()
    if t == "bool":
        b = rng.random() < 0.5
        return b, b
    if t == "bytes":
        b = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 31, 32, 33, 100])))
        return b, "0x" + b.hex()
    if t.startswith("bytes"):
        b = bytes(rng.getrandbits(8) for _ in range(int(t[5:])))
        return b, "0x" + b.hex()
    if t == "string":
        s = "".join(rng.choice("abcXYZ 09é€😀\"\\") for _ in range(rng.choice([0, 1, 10, 40])))
        return s, s
    raise AssertionError(t)


def test_abi_agrees_with_eth_abi(provernet):
    """60 random type lists, 20 random value sets each: our encoding equals eth-abi's, and we
    decode eth-abi's encoding back to the same values."""
    for _ in range(60):
        types = [rand_type() for _ in range(rng.randint(1, 4))]
        group = []
        for _ in range(20):
            pairs = [rand_value(t) for t in types]
            group.append(([p[0] for p in pairs], [p[1] for p in pairs]))
        type_list = ",".join(types)
        ours = provernet(["abi", "encode", type_list], [json.dumps(g[1], ensure_ascii=False) for g in group])
        theirs = ["0x" + eth_abi.encode(types, g[0]).hex() for g in group]
        assert ours == theirs, type_list
        decoded = provernet(["abi", "decode", type_list], theirs)
        assert [json.loads(d) for d in decoded] == [g[1] for g in group], type_list
