#!/usr/bin/env bash
# `npm test`: bootstrap what is missing, type-check, run every test suite, print one closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test || exit 1
mkdir -p output
failed_suites=()
passed=0
failed=0

echo "== typecheck (tsc --noEmit)"
if npx tsc --noEmit -p tsconfig.json; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_suites+=(typecheck); fi

echo "== unit and integration tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile=output/vitest.json
vitest_rc=$?
if [ -f output/vitest.json ]; then
  read -r vp vf < <(node -e 'const r=require("./output/vitest.json");console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + r.numFailedTestSuites)')
  passed=$((passed + vp)); failed=$((failed + vf))
fi
if [ $vitest_rc -ne 0 ]; then failed_suites+=(vitest); [ -f output/vitest.json ] || failed=$((failed + 1)); fi

# Further suites, each a command that exits non-zero on failure (see README "Tests").
for suite in scripts/test-suites/*.sh; do
  [ -e "$suite" ] || continue
  name=$(basename "$suite" .sh)
  echo "== $name"
  if bash "$suite"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_suites+=("$name"); fi
done

echo
if [ ${#failed_suites[@]} -gt 0 ]; then echo "failing: ${failed_suites[*]}"; fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_suites[@]} -eq 0 ]
