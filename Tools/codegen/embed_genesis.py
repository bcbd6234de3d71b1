#!/usr/bin/env python3
"""Embeds Genesis/devnet.json into Sources/Chain/DevnetGenesis.swift (run from the repo root)."""
j = open('Genesis/devnet.json').read()
src = '''// The devnet genesis embedded in the binary, so `provernet` runs with no files around it.
// Must equal Genesis/devnet.json byte for byte (a test checks); regenerate with
// Tools/codegen/embed_genesis.py after editing that file.

extension Genesis {
    /// `Genesis/devnet.json`, as shipped.
    public static let devnetJSON = #"""
''' + j + '''"""#
}
'''
open('Sources/Chain/DevnetGenesis.swift', 'w').write(src)
