#!/usr/bin/env python3
"""Checks that Cargo.toml's rust-version is honest: no lower than the
rust-version any dependency built by default declares (cargo tree, normal
edges, all features of this package). Only one toolchain can be installed on
these machines, so the code itself cannot be built with the declared version;
this catches the way the declaration went false before (a dependency raising
its own)."""
import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
by_id = {p["id"]: p for p in metadata["packages"]}
root = metadata["resolve"]["root"]
declared = by_id[root].get("rust_version")
if not declared:
    sys.exit("Cargo.toml has no rust-version")

# Packages reachable from the root through normal (not dev, not build) edges.
nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
seen, stack = set(), [root]
while stack:
    node = nodes[stack.pop()]
    for dep in node["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if None in kinds and dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])

needed = [
    (version(by_id[p]["rust_version"]), by_id[p]["name"], by_id[p]["version"])
    for p in seen
    if by_id[p].get("rust_version")
]
needed.sort(reverse=True)
highest = needed[0]
print(f"rust-version {declared}; highest a dependency declares: "
      f"{'.'.join(map(str, highest[0][:2]))} ({highest[1]} {highest[2]}), "
      f"{len(seen)} dependencies")
if version(declared) < highest[0]:
    sys.exit(f"rust-version {declared} is lower than {highest[1]} {highest[2]} needs")
