"""Starts and stops a real `provernet node --dev` for the interop tests."""
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

DEV_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
]
CHAIN_ID = 70001


def binary():
    path = os.environ.get("PROVERNET_BIN")
    if not path:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.path.join(root, ".build", "debug", "provernet")
    return path


class DevNode:
    """`provernet node --dev` on a datadir, JSON-RPC on a free port (`--rpc-port 0`).

    Reads stdout in a thread: the RPC URL from the `rpc http://…` line and every
    `block N HASH txs=K` line (the blocks the node reports as committed)."""

    def __init__(self, datadir, block_time=0.25, extra=()):
        self.datadir = datadir
        self.block_time = block_time
        self.extra = list(extra)
        self.proc = None
        self.url = None
        self.blocks = {}  # number -> hash, as printed
        self.block_txs = {}  # number -> transaction count, as printed
        self.lines = []
        self._ready = threading.Event()

    def start(self, timeout=60):
        args = [binary(), "node", "--dev", "--datadir", self.datadir, "--rpc-port", "0",
                "--block-time", str(self.block_time), "--log-level", "warning", *self.extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self._ready.clear()
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        threading.Thread(target=self._drain_stderr, args=(self.proc,), daemon=True).start()
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError(f"node did not start: {self.lines[-20:]}")
        return self

    def _read(self, proc):
        for line in proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            m = re.match(r"^rpc (http://\S+)", line)
            if m:
                self.url = m.group(1)
                self._ready.set()
            m = re.match(r"^block (\d+) (0x[0-9a-f]{64}) txs=(\d+)$", line)
            if m:
                self.blocks[int(m.group(1))] = m.group(2)
                self.block_txs[int(m.group(1))] = int(m.group(3))

    def _drain_stderr(self, proc):
        for line in proc.stderr:
            self.lines.append("stderr: " + line.rstrip("\n"))

    @property
    def ws_url(self):
        return self.url.replace("http://", "ws://")

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def rpc(self, method, params=None, timeout=30):
        """One raw JSON-RPC call; returns the whole response object."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
        return self.post(body, timeout=timeout)[1]

    def post(self, body, timeout=30, headers=None):
        """POSTs raw bytes; returns (HTTP status, parsed JSON or raw text)."""
        req = urllib.request.Request(self.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors="replace")

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def wait_for_block(self, number, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if int(self.rpc("eth_blockNumber")["result"], 16) >= number:
                return
            time.sleep(0.05)
        raise TimeoutError(f"block {number} not reached")
