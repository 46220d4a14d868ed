# No password, token or key in anything ewsgw prints or stores in clear:
# logs (debug level), CLI output, faults, the database file. Also greps
# what the earlier cases of this run printed for their passwords.
. "$(dirname "$0")/lib.sh"
LOG_LEVEL=debug
start_fake --device-interval 1 --token-lifetime 3
gateway_with_alice
req="$DATA/getfolder-inbox.xml"
ews alice:$ALICE_PW "$req" >/dev/null
ews alice:wrong-pw-123 "$req" >/dev/null
sleep 4	# expire: the next request refreshes
ews alice:$ALICE_PW "$req" >/dev/null
ewsgw user list >"$T/list.out" 2>&1
ewsgw user list --json >>"$T/list.out" 2>&1
ewsgw check alice >"$T/check.out" 2>&1
fake_post /_fake/revoke '{"user":"alice@contoso.example"}'
sleep 4
ews alice:$ALICE_PW "$req" >/dev/null
cp "$T/resp.xml" "$T/fault.xml"
stop_gw
# Every token fake365 issued in this run, and the key bytes.
curl -fs "$FAKE/_fake/issued" | $PY -c '
import json, sys
for t in json.load(sys.stdin):
    print(t)' >"$T/secrets"
[ -s "$T/secrets" ] || fail "fake365 reports no issued tokens"
printf '%s\n%s\n' "$ALICE_PW" wrong-pw-123 >>"$T/secrets"
od -An -tx1 "$T/state/key" | tr -d ' \n' >>"$T/secrets"; echo >>"$T/secrets"
files="$T/gw.log $T/login-alice.out $T/list.out $T/check.out $T/fault.xml $T/fake.out $T/fake.jsonl $T/state/ewsgw.db"
ls "$T"/state/ewsgw.db-wal >/dev/null 2>&1 && files="$files $T/state/ewsgw.db-wal"
n=0
while IFS= read -r s; do
	[ -n "$s" ] || continue
	n=$((n + 1))
	for f in $files; do
		grep -qaF -- "$s" "$f" && fail "a secret is in $(basename "$f")"
	done
	# the key in hex, too
done <"$T/secrets"
note "$n secrets, none found in: $files"
grep -q 'wrong-pw\|alice-local-pw\|Alice-pw' "$TOP"/build/tests/out/*.log 2>/dev/null &&
    fail "an earlier case printed a password"
exit 0
