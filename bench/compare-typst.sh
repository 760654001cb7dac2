#!/usr/bin/env bash
# appeal against typst on the same two-page letter: single files and a batch,
# tagged (PDF/A-2b, PDF/UA-1: both tools' archival output) and untagged.
#
#   bash bench/compare-typst.sh [BATCH]
#
# Installs the typst Python package (PyPI) into a virtual environment under
# target/, builds appeal in release mode, then runs bench/compare_typst.py.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/typst-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "typst>=0.13"
cargo build --release --quiet
"$venv/bin/python" bench/compare_typst.py "${1:-1000}"
