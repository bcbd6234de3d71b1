"""Shared fixtures: the provernet binary, and a helper that feeds it many inputs at once."""
import json
import os
import subprocess

import pytest


def _binary():
    path = os.environ.get("PROVERNET_BIN")
    if not path:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.path.join(root, ".build", "debug", "provernet")
    if not os.path.exists(path):
        pytest.fail(f"provernet binary not found at {path}: run `swift build` first or set PROVERNET_BIN")
    return path


@pytest.fixture(scope="session")
def provernet():
    """Runs `provernet ARGS... -` with one input per stdin line; returns one output line per input."""
    binary = _binary()

    def run(args, lines, expect_ok=True):
        proc = subprocess.run([binary, *args, "-"], input="\n".join(lines) + "\n",
                              capture_output=True, text=True, timeout=600)
        out = proc.stdout.splitlines()
        if expect_ok:
            assert proc.returncode == 0, f"provernet {' '.join(args)} failed: {proc.stderr[-2000:]}\n{out[:5]}"
        assert len(out) == len(lines), f"{len(out)} outputs for {len(lines)} inputs; stderr: {proc.stderr[-2000:]}"
        return out

    run.binary = binary
    return run


def parse_json_lines(lines):
    return [json.loads(line) for line in lines]
