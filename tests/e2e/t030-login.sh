# ewsgw login: the device authorization grant against fake365. Approve,
# decline, expiry, the wrong account, users that cannot sign in this way,
# an unconfigured tenant, an unreachable identity platform, Ctrl-C.
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1
write_conf
ewsgw user add alice --mailbox alice@contoso.example >/dev/null ||
    fail "user add alice"
ewsgw user add carol --mailbox carol@contoso.example >/dev/null ||
    fail "user add carol"
ewsgw user add rob --mailbox bob@contoso.example --mode ropc >/dev/null ||
    fail "user add rob"

# start_login NAME: 'ewsgw login NAME' in the background; sets LP, CODE.
start_login() {
	out="$T/login-$1.out"
	rm -f "$out"	# else the last run's code is read before ewsgw truncates it
	# not the ewsgw function: LP must be ewsgw itself, for kill -INT
	"$B/ewsgw" -c "$CONF" login "$1" >"$out" 2>&1 &
	LP=$!
	CODE=""
	i=0
	while [ $i -lt 100 ] && [ -z "$CODE" ]; do
		CODE=$(sed -n 's/.*enter the code \([A-Z0-9]*\).*/\1/p' \
		    "$out" | head -1)
		[ -n "$CODE" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$CODE" ] || { cat "$out"; fail "login $1 showed no code"; }
}

# finish_login NAME RC PATTERN: waits for it, checks status and output.
finish_login() {
	wait "$LP"
	rc=$?
	out="$T/login-$1.out"
	[ "$rc" = "$2" ] || { cat "$out"; fail "login $1: exit $rc, not $2"; }
	grep -q "$3" "$out" || { cat "$out"; fail "login $1: no '$3'"; }
	note "login $1: exit $rc: $(tail -1 "$out")"
}

# run_login RC PATTERN COMMAND...: a login that ends at once.
run_login() {
	want=$1 pattern=$2
	shift 2
	"$@" >"$T/out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || { cat "$T/out"; fail "$*: exit $rc, not $want"; }
	grep -q "$pattern" "$T/out" || { cat "$T/out"; fail "$*: no '$pattern'"; }
	note "$*: exit $rc: $(tail -1 "$T/out")"
}

expect "token before" "$(token_of alice)" none

# Approved: tokens stored, the user shows a valid token.
login alice alice@contoso.example
grep -q '^signed in alice (alice@contoso.example); token valid until ' \
    "$T/login-alice.out" ||
    { cat "$T/login-alice.out"; fail "no success line"; }
expect "token after" "$(token_of alice)" valid

# Brief trouble at the identity platform: retried, then signed in.
fake_post /_fake/fault '{"target":"token","kind":"http503","count":2}'
login alice alice@contoso.example
expect "token after retries" "$(token_of alice)" valid

# A policy refuses the sign-in: its AADSTS code, nothing stored.
fake_post /_fake/fault \
    '{"target":"token","kind":"invalid_grant","aadsts":53003}'
run_login 1 '^ewsgw: sign-in failed: AADSTS53003' ewsgw login carol
expect "token after a refusal" "$(token_of carol)" none

# Declined at the sign-in page.
start_login carol
curl -fs -o /dev/null -d "user_code=$CODE" -d action=decline \
    --data-urlencode "username=carol@contoso.example" \
    "$FAKE/devicelogin" || fail "decline $CODE"
finish_login carol 1 '^ewsgw: sign-in was declined'
expect "token after decline" "$(token_of carol)" none

# Someone else signs in: refused, nothing stored.
start_login carol
approve_code "$CODE" bob@contoso.example
finish_login carol 1 \
    'bob@contoso.example signed in, but carol is mapped to mailbox carol@'
expect "token after the wrong account" "$(token_of carol)" none

# The code expires before anyone signs in.
if curl -fs -o /dev/null -H 'Content-Type: application/json' \
    -d '{"device_expires_in":2}' "$FAKE/_fake/config" 2>/dev/null; then
	start_login carol
	finish_login carol 1 "^ewsgw: the code expired before sign-in \
finished; run 'ewsgw login carol' again"
	fake_post /_fake/config '{"device_expires_in":900}'
else
	note "fake365 cannot shorten a device code's life: expiry unchecked"
fi

# Ctrl-C while waiting.
start_login carol
kill -INT "$LP"
finish_login carol 1 '^ewsgw: sign-in cancelled'

# Users that cannot sign in this way, and usage errors.
run_login 1 '^ewsgw: no such user: nosuch' ewsgw login nosuch
run_login 1 '^ewsgw: rob has mode ropc: ' ewsgw login rob
run_login 2 'unknown option --bogus' ewsgw login alice --bogus
run_login 2 'usage: ' ewsgw login

# No tenant configured.
sed '/^tenant_id/d' "$CONF" >"$T/notenant.conf"
run_login 1 "^ewsgw: set tenant_id in $T/notenant.conf" \
    "$B/ewsgw" -c "$T/notenant.conf" login alice

# The identity platform is down: a clear reason, no hang.
dead=$(free_port)
sed "s|^authority = .*|authority = http://127.0.0.1:$dead|" "$CONF" \
    >"$T/dead.conf"
start=$(date +%s)
run_login 1 "^ewsgw: cannot reach the identity platform at \
127.0.0.1:$dead: connection refused" timeout 30 "$B/ewsgw" \
    -c "$T/dead.conf" login alice
note "gave up after $(( $(date +%s) - start )) s"
expect "token kept" "$(token_of alice)" valid
