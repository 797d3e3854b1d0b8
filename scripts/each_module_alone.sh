#!/usr/bin/env bash
# Runs every test module on its own (a fresh process each), so that no test depends on another
# module having run first (an active translation, a cached setting, demo data). Prints the modules
# that fail alone and exits non-zero if any does. Usage: scripts/each_module_alone.sh [pytest args]
set -uo pipefail
cd "$(dirname "$0")/.."
py=${PY:-.venv/bin/python}
failed=()
modules=$(git ls-files 'tests/test_*.py' '*/tests/test_*.py')
for module in $modules; do
  "$py" -m pytest "$module" -q -x -p no:cacheprovider "$@" >/tmp/liaison-alone.log 2>&1
  status=$?
  # 5: every test of the module was deselected by the arguments given (e.g. -m "not browser").
  if [ "$status" != 0 ] && [ "$status" != 5 ]; then
    failed+=("$module")
    tail -n 15 /tmp/liaison-alone.log
  fi
  echo "$module: $(tail -n 1 /tmp/liaison-alone.log)"
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'Failing when run alone:\n'; printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "Every module passes alone."
