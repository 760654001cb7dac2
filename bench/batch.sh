#!/usr/bin/env bash
# Batch throughput and memory: 10,000 personalised two-page letters.
#
#   bash bench/batch.sh [N...]
#
# Builds the release binary, generates a registry of N recipients (default
# 10,000; every third with a Cyrillic name) and an appeal whose letter runs
# to two pages, then times `appeal batch` to PDF and to text alone with
# /usr/bin/time (wall seconds, peak resident memory). Targets (issue #4):
# PDF under 5 s and 150 MB on 2 cores; text under 0.5 s.
#
# With several sizes (`bash bench/batch.sh 10000 50000 100000`), each is
# measured in turn, and the growth of peak memory per recipient between the
# first and the last is printed (issue #14: at most 1 KB a recipient).
# FORMATS="txt" measures text alone.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000}")
if [ "${#sizes[@]}" -gt 1 ]; then
  declare -A first last
  for n in "${sizes[@]}"; do
    out=$(bash "$0" "$n")
    echo "$out"
    while read -r label kb; do
      [ -z "${first[$label]:-}" ] && first[$label]=$kb
      last[$label]=$kb
    done < <(echo "$out" | awk '/ letters / {print $1, $(NF-1)}')
  done
  span=$(( ${sizes[-1]} - ${sizes[0]} ))
  for label in "${!last[@]}"; do
    printf '%-10s peak memory grows %.0f bytes a recipient from %d to %d recipients\n' "$label" \
      "$(echo "(${last[$label]} - ${first[$label]}) * 1024 / $span" | bc -l)" "${sizes[0]}" "${sizes[-1]}"
  done
  exit
fi
n=${sizes[0]}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet
# Output goes to memory (tmpfs) where there is one: the disk of a shared VM
# measures its neighbours, not this program. BENCH_DIR=... to choose.
work=$(mktemp -d -p "${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)}")
trap 'rm -rf "$work"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "work: $work"

python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/registry.toml", "w") as f:
    for i in range(1, n + 1):
        name = f"Иван Петров {i}" if i % 3 == 0 else f"Member Number {i}"
        f.write(f'[[recipient]]\nid = "r{i:05}"\nhonorific = "Mr."\nname = "{name}"\n'
                f'title = "Member of the Executive"\norganisation = "Union {i}"\n'
                f'address = ["Street {i}", "City"]\ncountry = "Country"\n'
                f'email = "r{i}@example.org"\nlanguage = "en"\ntags = ["bench"]\n\n')
paragraph = ("The authorities detained union activists, searched their homes and seized "
             "their documents; the courts sentenced them to administrative arrest. ")
body = "\n\n".join(f"Paragraph {k}. " + paragraph * 3 for k in range(1, 13))
with open(f"{work}/appeal.toml", "w") as f:
    f.write('template = "solidarity-appeal"\nlanguage = "en"\ndate = 2026-11-23\nplace = "Minsk"\n'
            'recipients = ["tag:bench"]\ndemands = ["condemn the arrests", "raise the cases with the ILO"]\n'
            f'body = """\nDear friends at {{{{recipient.organisation}}}},\n\n{body}\n"""\n'
            '[sender]\norganisation = "Free Metalworkers\' Union (SPM)"\nemail = "spm@example.org"\n'
            '[signatory]\nname = "Aleksandr Bukhvostov"\ntitle = "Chairman"\n')
PY

# Each run writes into a new directory: ext4 is slow to hand out inodes
# right after thousands were deleted, and that is not what is measured here.
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/appeal "$@" >/dev/null 2>"$work/log"
  read -r wall kb <"$work/time"
  local pages=""
  [ "$label" != txt ] && pages=$(pdfinfo "$work/out-$label/r00001.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)
  printf '%-10s %6d letters  %7.2f s wall  %6.1f MB peak  %s\n' "$label" "$n" "$wall" "$(echo "$kb / 1024" | bc -l)" \
    "$(tail -1 "$work/log")${pages:+ (letter 1: $pages pages)}  ${kb} KB"
}

echo "machine: $(nproc) cores, $(uname -m)"
# Extra batch options (e.g. BATCH_ARGS=--no-sync on a real disk).
# FORMATS="pdf print" also measures the PDF letters with their print bundle (--print).
for format in ${FORMATS:-pdf txt}; do
  case $format in
    print) args=(-f pdf --print) ;;
    *) args=(-f "$format") ;;
  esac
  run "$format" batch "$work/appeal.toml" --recipients "$work/registry.toml" -o "$work/out-$format" "${args[@]}" ${BATCH_ARGS:-}
done
