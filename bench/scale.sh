#!/usr/bin/env bash
# Scale of the registry: `appeal check` (every letter resolved and composed,
# none kept) and `appeal recipients` over a registry of N entries.
#
#   bash bench/scale.sh [N]
#
# Target (issue #15): 100,000 entries under 2 s and 300 MB on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/registry.toml", "w") as f:
    for i in range(1, n + 1):
        f.write(f'[[recipient]]\nid = "r{i:06}"\nhonorific = "Mr."\nname = "Member Number {i}"\n'
                f'title = "Member of the Executive"\norganisation = "Union {i}"\n'
                f'address = ["Street {i}", "City"]\ncountry = "Country"\n'
                f'email = "r{i}@example.org"\nlanguage = "en"\ntags = ["bench"]\n\n')
with open(f"{work}/appeal.toml", "w") as f:
    f.write('template = "solidarity-appeal"\nlanguage = "en"\ndate = 2026-11-23\n'
            'recipients = ["tag:bench"]\ndemands = ["condemn the arrests"]\n'
            '[sender]\norganisation = "U"\n[signatory]\nname = "S"\n')
PY
bin=target/release/appeal
echo "registry: $n entries, $(du -h "$work/registry.toml" | cut -f1)"
/usr/bin/time -f "check       %e s wall  %M KB peak" "$bin" check "$work/appeal.toml" --recipients "$work/registry.toml" >/dev/null
/usr/bin/time -f "recipients  %e s wall  %M KB peak" "$bin" recipients --recipients "$work/registry.toml" >/dev/null
