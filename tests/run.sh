#!/bin/sh
# Runs the unit tests (cmocka binaries in build/tests) and the end-to-end
# cases (tests/e2e/t*.sh), then prints one closing line:
#   N passed, N failed
# "sh tests/run.sh unit" or "... e2e" runs one half; "... e2e t040" runs
# the cases whose name starts with that.
cd "$(dirname "$0")/.." || exit 1
what=${1:-all}
only=${2:-}
passed=0
failed=0
failures=""
out=build/tests/out
mkdir -p "$out"

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in build/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$out/$name.log"
		"$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed before its summary
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			failures="$failures $name"
			echo "FAIL unit $name ($f failed; see $log)"
			grep -E '^\[  (FAILED|ERROR)|Failure!|error:' "$log" | head -20
		else
			echo "ok   unit $name ($p)"
		fi
	done
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
	for t in tests/e2e/t*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		case "$name" in "$only"*) ;; *) continue ;; esac
		log="$out/$name.log"
		start=$(date +%s)
		timeout 600 sh "$t" >"$log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   e2e  $name (${secs}s)"
		else
			failed=$((failed + 1))
			failures="$failures $name"
			echo "FAIL e2e  $name (exit $rc, ${secs}s; see $log)"
			tail -n 25 "$log" | sed 's/^/     | /'
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
