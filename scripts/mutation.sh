#!/usr/bin/env bash
# Mutation testing with mutmut 3 (https://mutmut.readthedocs.io): how many deliberate small bugs
# (mutants) in the code the test suite catches. A script to run by hand, NOT part of CI (it is slow).
#
#   scripts/mutation.sh                                   # store/, harmonise/, indicators/ against all tests
#   scripts/mutation.sh bilateral/harmonise/periods.py    # one module (or several paths / globs)
#   MUTATION_TESTS="tests/test_harmonise.py" scripts/mutation.sh bilateral/harmonise/periods.py
#
# It works on a COPY of the checkout in a temporary folder (mutmut writes a mutants/ tree and its
# own setup.cfg there), so the checkout is never modified and other work can go on at the same time.
# Environment:
#   MUTATION_TESTS    test files/folders mutmut runs (default: tests/)
#   MUTATION_TIMEOUT  wall-clock limit in seconds for the whole run (default 900)
#   MUTATION_JOBS     parallel workers (default 1: the machine is shared)
#   MUTATION_KEEP     set to 1 to keep the work folder (its path is printed) for `mutmut results/show`
#   BILATERAL_SHARED_DATA  the shared data folder (default ../shared/data), for the tests that need it
# Needs mutmut in the project's venv: .venv/bin/pip install 'mutmut>=3.8,<4'
# Prints the mutmut summary, "mutation score: K killed of N mutants (P%); S survived, T reached by no test"
# (killed + timed out over all mutants, as mutmut's badge counts it) and the survivors.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
TESTS="${MUTATION_TESTS:-tests/}"
TIMEOUT="${MUTATION_TIMEOUT:-900}"
JOBS="${MUTATION_JOBS:-1}"
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=(bilateral/store bilateral/harmonise bilateral/indicators); fi

if ! "$PY" -c "import mutmut" 2>/dev/null; then
  echo "mutation.sh: mutmut is not installed; run: $REPO/.venv/bin/pip install 'mutmut>=3.8,<4'" >&2
  exit 2
fi
if [ -z "${BILATERAL_SHARED_DATA:-}" ] && [ -f "$REPO/../shared/data/PROVENANCE.md" ]; then
  export BILATERAL_SHARED_DATA="$(cd "$REPO/../shared/data" && pwd)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bilateral-mutation.XXXXXX")"
if [ "${MUTATION_KEEP:-0}" != 1 ]; then trap 'rm -rf "$WORK"' EXIT; fi
echo "mutation.sh: working in $WORK (a copy of $REPO)"
# only what the tests read: the package, the tests, the docs (their examples are run), the config
( cd "$REPO" && tar --exclude='__pycache__' --exclude='*.egg-info' -cf - bilateral tests docs pyproject.toml README.md ) \
  | ( cd "$WORK" && tar -xf - )

# which files to mutate: a folder means every .py file under it
only=()
for t in "${TARGETS[@]}"; do
  t="${t%/}"
  case "$t" in
    *.py|*\**) only+=("$t") ;;
    *) only+=("$t/*.py" "$t/**/*.py") ;;
  esac
done
{
  echo "[mutmut]"
  echo "source_paths = bilateral"
  printf 'only_mutate =\n'; printf '    %s\n' "${only[@]}"
  printf 'pytest_add_cli_args_test_selection =\n'; for t in $TESTS; do printf '    %s\n' "$t"; done
  printf 'also_copy =\n    tests\n    pyproject.toml\n'
  echo "timeout_multiplier = 10.0"
} > "$WORK/setup.cfg"
cat "$WORK/setup.cfg"

cd "$WORK"
status=0
# the package is installed editable from $REPO; mutmut puts mutants/ first on sys.path, so the
# mutated copy is the one imported
timeout --kill-after=30 "$TIMEOUT" "$PY" -m mutmut run --max-children "$JOBS" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "mutation.sh: stopped after ${TIMEOUT}s; the score below covers the mutants tested so far" >&2
fi
"$PY" -m mutmut export-cicd-stats >/dev/null 2>&1 || true
"$PY" - <<'EOF'
import json
import os
if not os.path.exists("mutants/mutmut-cicd-stats.json"):
    raise SystemExit("mutation score: none (mutmut stopped before testing any mutant)")
s = json.load(open("mutants/mutmut-cicd-stats.json"))
caught = s.get("killed", 0) + s.get("timeout", 0)
total = s.get("total", 0) - s.get("skipped", 0)  # mutmut's own convention (its `badge` command)
print("stats:", json.dumps(s, sort_keys=True))
if total:
    done = sum(s.get(k, 0) for k in ("killed", "timeout", "survived", "no_tests", "suspicious", "segfault"))
    print(f"mutation score: {caught} killed of {total} mutants ({caught / total:.1%}); "
          f"{s.get('survived', 0)} survived, {s.get('no_tests', 0)} reached by no test"
          + (f", {total - done} NOT TESTED (the run was stopped)" if done < total else ""))
else:
    print("mutation score: no mutant tested")
EOF
echo "survivors (mutmut show <name> in $WORK to see one):"
"$PY" -m mutmut results 2>/dev/null | grep -v ": killed" | head -200 || true
exit "$status"
