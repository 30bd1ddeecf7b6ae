#!/usr/bin/env bash
# Writes tests/golden/*.json. Overview and indicators: the India–Russia outputs as they were BEFORE the read
# layer (made at commit af46699 with this script); tests/test_golden.py checks their figures are unchanged.
# Target: `bilateral target --format json` (remade for issue #21's calibrated forecast; test_golden.py checks it).
# Rerun only when a change of figures is intended and explained in the commit; `make_golden.sh target` remakes
# the target file alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export BILATERAL_STORE="$(mktemp -d)/golden.duckdb"
if [ "${1:-all}" != "target" ]; then
  for fy in 2010-11 2017-18 2021-22 2024-25 2025-26; do
    .venv/bin/bilateral overview --fy "$fy" --format json > "tests/golden/overview_IND-RUS_FY$fy.json"
    .venv/bin/bilateral indicators --fy "$fy" --format json > "tests/golden/indicators_IND-RUS_FY$fy.json"
  done
fi
.venv/bin/bilateral target --format json > tests/golden/target_IND-RUS.json
