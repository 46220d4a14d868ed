# ewsgw check: one line per user saying what works or what is wrong.
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1 --token-lifetime 3
write_conf
add_user alice alice@contoso.example "$ALICE_PW"
add_user bob bob@contoso.example bob-pw
login alice alice@contoso.example
out=$(ewsgw check alice) || fail "check alice: $out"
echo "$out"
echo "$out" | grep -q '^alice: ok: .*inbox' || fail "check alice says: $out"
out=$(ewsgw check bob) && fail "check bob succeeded: $out"
echo "$out" | grep -q "ewsgw login bob" || fail "check bob does not say what to do: $out"
out=$(ewsgw check --all 2>&1) && fail "--all succeeded with bob unsigned"
[ "$(echo "$out" | grep -c '^alice: ok\|^bob: FAILED')" = 2 ] || fail "--all: $out"
ewsgw check nobody 2>"$T/err" && fail "unknown user accepted"
grep -q 'no such user: nobody' "$T/err" || fail "unknown user message: $(cat "$T/err")"
ewsgw check 2>/dev/null; expect "no argument" "$?" 2
sleep 4
fake_post /_fake/revoke '{"user":"alice@contoso.example"}'
out=$(ewsgw check alice) && fail "revoked token passed"
echo "$out" | grep -q 'AADSTS50173' || fail "revoked: $out"
