#!/usr/bin/env bash
# Speed against an earlier commit: the render benchmarks and the CLI, each
# run in turn on both builds so that a busy machine slows both alike.
#
#   bash bench/compare-rev.sh [REV] [FILTER] [ROUNDS]
#
# REV (default e680462, the code before issue #12) is checked out in a
# worktree under ${BASE_DIR:-/tmp/appeal-base} and built there with its own
# target directory. FILTER is a criterion filter (default: the single
# letter, the 20-footnote letter, the batch of 100 and the letter with
# nothing remembered; a bench the old commit lacks prints nothing for it).
# Prints each bench's median per round, then the median of 40 runs of
# `appeal render` of the ILO letter to PDF (process start included).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-e680462}
filter=${2:-'ilo letter: pdf$|20 footnotes|batch of 100: pdf|nothing remembered'}
rounds=${3:-3}
base=${BASE_DIR:-/tmp/appeal-base}
[ -d "$base" ] || git worktree add --detach "$base" "$rev" >/dev/null
git -C "$base" checkout -q --detach "$rev"
bench_bin() { # DIR TARGET: build the render bench and the CLI, print the bench's path
  (cd "$1" && CARGO_TARGET_DIR=$2 cargo build -q --release &&
    CARGO_TARGET_DIR=$2 cargo bench -q --bench render --no-run 2>&1 |
    sed -n 's/.*(\(.*render-[0-9a-f]*\)).*/\1/p')
}
old=$(bench_bin "$base" "$base/target")
new=$(bench_bin . "$PWD/target")
for round in $(seq "$rounds"); do
  for which in old new; do
    bin=${!which}
    printf '%s %s: ' "$round" "$which"
    "$bin" --bench "$filter" --warm-up-time 1 --measurement-time 3 --noplot 2>&1 |
      awk '/time:/ { name = $0; sub(/ *time:.*/, "", name); if (name == "") name = last
                     match($0, /\[[^]]*\]/); split(substr($0, RSTART + 1, RLENGTH - 2), t, " ")
                     printf "%s = %s %s; ", name, t[3], t[4]; next }
           NF { last = $0 } END { print "" }'
  done
done
letter=examples/ilo-belarus-2021/appeal.toml
for which in "$base/target" target; do
  python3 - "$which/release/appeal" "$letter" <<'EOF'
import subprocess, sys, time
binary, letter = sys.argv[1], sys.argv[2]
times = []
for _ in range(40):
    start = time.perf_counter()
    subprocess.run([binary, "render", letter, "-f", "pdf", "-o", "/tmp/compare-rev.pdf"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
times.sort()
print(f"{binary}: render to PDF, median {times[20] * 1000:.2f} ms, fastest {times[0] * 1000:.2f} ms")
EOF
done
