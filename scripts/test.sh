#!/usr/bin/env bash
# `npm test`: bootstrap what is missing, type-check, run every test suite, print one closing line
# that counts tests: vitest's own test counts, plus each further suite's count. A suite reports its
# count by writing "<passed> <failed>" to the file named by $TEST_COUNT_FILE; a suite that writes
# nothing counts as one test (passed when it exits 0). A suite that exits non-zero is listed as
# failing even when its count says otherwise.
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
  # Tests, not suites: a test file that fails to load (no tests ran in it) counts as one failed test.
  read -r vp vf < <(node -e 'const r=require("./output/vitest.json");const broken=r.testResults.filter((f)=>f.status==="failed"&&f.assertionResults.length===0).length;console.log(r.numPassedTests, r.numFailedTests + broken)')
  passed=$((passed + vp)); failed=$((failed + vf))
fi
if [ $vitest_rc -ne 0 ]; then failed_suites+=(vitest); [ "${vf:-0}" -gt 0 ] || failed=$((failed + 1)); fi

# Further suites, each a command that exits non-zero on failure (see README "Tests").
for suite in scripts/test-suites/*.sh; do
  [ -e "$suite" ] || continue
  name=$(basename "$suite" .sh)
  echo "== $name"
  count_file="output/test-count-$name"
  rm -f "$count_file"
  if TEST_COUNT_FILE="$PWD/$count_file" bash "$suite"; then ok=1; else ok=0; failed_suites+=("$name"); fi
  if [ -s "$count_file" ] && read -r sp sf <"$count_file" && [[ "$sp" =~ ^[0-9]+$ && "$sf" =~ ^[0-9]+$ ]]; then
    [ $ok -eq 0 ] && [ "$sf" -eq 0 ] && sf=1 # failed outside its counted tests (e.g. server start-up)
    passed=$((passed + sp)); failed=$((failed + sf))
  elif [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo
if [ ${#failed_suites[@]} -gt 0 ]; then echo "failing: ${failed_suites[*]}"; fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_suites[@]} -eq 0 ]
