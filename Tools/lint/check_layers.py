#!/usr/bin/env python3
"""Checks that the module graph is layered as Package.swift declares it.

Package.swift groups its targets under `// MARK: <n> <name>` headings (1 foundation ... 6
interfaces), plus a `zkVM` group beside the layers and a `Dev only` group. This script reads the
targets, their dependencies and the `import` lines of every file under Sources/, and fails when:
  - a file imports a project module its target does not declare (SwiftPM would let a transitive
    module through; the design does not);
  - a target depends on a target of a higher layer;
  - the zkVM depends on anything above the foundation layer;
  - a shipping target (other than the CLI, which hosts `provernet bench`) depends on a dev-only one.
Prints one line per problem and exits 1, or prints a summary and exits 0."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_package():
    text = open(os.path.join(ROOT, "Package.swift")).read()
    text = text[text.index("targets: ["):text.index("// MARK: Tests")]
    targets, group = {}, None
    pos = 0
    heading = re.compile(r"// MARK: (.*)")
    target = re.compile(r'\.(target|systemLibrary|executableTarget)\(name: "(\w+)"')
    for m in re.finditer(r"// MARK: .*|\.(?:target|systemLibrary|executableTarget)\(name: \"\w+\"", text):
        s = m.group(0)
        h = heading.match(s)
        if h:
            title = h.group(1)
            n = re.match(r"(\d+) ", title)
            group = int(n.group(1)) if n else ("zkvm" if title.startswith("zkVM") else "dev")
            continue
        name = target.search(s).group(2)
        # The dependency list: from this target's opening to the next target.
        start = m.end()
        nxt = target.search(text, start)
        body = text[start:nxt.start() if nxt else len(text)]
        deps_match = re.search(r"dependencies: \[(.*?)\]\s*(?:,|\))", body, re.S)
        deps = set(re.findall(r'"(\w+)"', deps_match.group(1))) if deps_match else set()
        deps = {d for d in deps if not d.startswith("swift-")}
        targets[name] = {"group": group, "deps": deps}
    return targets


def imports_of(target):
    found = {}
    d = os.path.join(ROOT, "Sources", target)
    for dirpath, _, files in os.walk(d):
        for f in files:
            if not f.endswith(".swift"):
                continue
            path = os.path.join(dirpath, f)
            for line in open(path):
                m = re.match(r"\s*(?:@testable\s+)?import\s+(\w+)", line)
                if m:
                    found.setdefault(m.group(1), path)
    return found


def main():
    targets = parse_package()
    problems = []
    for name, t in targets.items():
        for mod, path in imports_of(name).items():
            if mod in targets and mod != name and mod not in t["deps"]:
                problems.append(f"{os.path.relpath(path, ROOT)}: imports {mod}, which {name} does not declare")
        for dep in t["deps"]:
            if dep not in targets:
                continue
            g, dg = t["group"], targets[dep]["group"]
            if isinstance(g, int) and isinstance(dg, int) and dg > g:
                problems.append(f"{name} (layer {g}) depends on {dep} (layer {dg}): a module never knows its callers")
            if g == "zkvm" and isinstance(dg, int) and dg > 1:
                problems.append(f"{name} (zkVM) depends on {dep} (layer {dg}): the zkVM stands beside the node")
            if dg == "dev" and g != "dev" and name not in ("ProverNetCLI",):
                problems.append(f"{name} depends on the dev-only {dep}")
            if isinstance(g, int) and g < 3 and dg == "zkvm":
                problems.append(f"{name} (layer {g}) depends on the zkVM's {dep}")
    for p in problems:
        print(p)
    if problems:
        return 1
    layers = {}
    for name, t in targets.items():
        layers.setdefault(str(t["group"]), []).append(name)
    print("layers ok: " + "; ".join(f"{k}: {len(v)}" for k, v in sorted(layers.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
