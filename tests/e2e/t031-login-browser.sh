# ewsgw login NAME --browser: the authorization-code flow with PKCE
# against fake365. The address the browser lands on pasted on stdin; a
# loopback redirect_uri where ewsgw receives the redirect itself; an
# error on the redirect; a forged state; the fake's PKCE, reuse, expiry
# and redirect checks; then a request through ewsgw with the token.
. "$(dirname "$0")/lib.sh"
start_fake
write_conf
add_user alice alice@contoso.example "$ALICE_PW"
ewsgw user add carol --mailbox carol@contoso.example >/dev/null ||
    fail "user add carol"

# start_browser NAME [CONF]: 'ewsgw login NAME --browser' in the
# background, reading stdin from a FIFO held open on fd 3; sets LP, URL.
start_browser() {
	out="$T/login-$1.out"
	rm -f "$T/in" "$out"	# else the last run's URL is read first
	mkfifo "$T/in"
	"$B/ewsgw" -c "${2:-$CONF}" login "$1" --browser <"$T/in" >"$out" 2>&1 &
	LP=$!
	exec 3>"$T/in"
	URL=""
	i=0
	while [ $i -lt 100 ] && [ -z "$URL" ]; do
		URL=$(grep '^http.*/oauth2/v2.0/authorize?' "$out" | head -1)
		[ -n "$URL" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$URL" ] || { cat "$out"; fail "login $1 showed no URL"; }
}

# finish_browser NAME RC PATTERN: waits for it, checks status and output.
finish_browser() {
	exec 3>&-
	out="$T/login-$1.out"
	i=0
	while kill -0 "$LP" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$LP" 2>/dev/null; then
		kill "$LP"
		cat "$out"
		fail "login $1 still waits after 20 s"
	fi
	wait "$LP"
	rc=$?
	[ "$rc" = "$2" ] || { cat "$out"; fail "login $1: exit $rc, not $2"; }
	grep -q "$3" "$out" || { cat "$out"; fail "login $1: no '$3'"; }
	note "login $1: exit $rc: $(tail -1 "$out")"
}

# param NAME: a query parameter of $URL, decoded.
param() {
	$PY -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlsplit(sys.argv[1]).query)[sys.argv[2]][0])' "$URL" "$1"
}

# landing: where the fake's authorize sends the browser (no follow).
landing() {
	curl -s -o /dev/null -w '%{redirect_url}' "$URL"
}

# The authorize URL carries what §1.5 asks for.
start_browser alice
expect "authorize path" "${URL%%\?*}" "$FAKE/$TENANT/oauth2/v2.0/authorize"
expect "client_id" "$(param client_id)" "$CLIENT"
expect "response_type" "$(param response_type)" code
expect "response_mode" "$(param response_mode)" query
expect "redirect_uri" "$(param redirect_uri)" \
    https://login.microsoftonline.com/common/oauth2/nativeclient
expect "scope" "$(param scope)" "https://outlook.office365.com/EWS.AccessAsUser.All offline_access openid profile"
expect "code_challenge_method" "$(param code_challenge_method)" S256
expect "login_hint" "$(param login_hint)" alice@contoso.example
expect "prompt" "$(param prompt)" select_account
expect "challenge length" "$(param code_challenge | tr -d '\n' | wc -c)" 43
expect "state length" "$(param state | tr -d '\n' | wc -c)" 22

# Paste-back: the person signs in; the landing address goes to stdin.
fake_post /_fake/authorize '{"action":"approve"}'
LOC=$(landing)
case "$LOC" in
https://login.microsoftonline.com/common/oauth2/nativeclient\?code=*) ;;
*) fail "landing address: $LOC" ;;
esac
printf '%s\n' "$LOC" >&3
finish_browser alice 0 \
    '^signed in alice (alice@contoso.example); token valid until '
expect "token after paste" "$(token_of alice)" valid
grep -q 'authorization_code' "$T/fake.jsonl" || fail "no code redeemed"

# The same code again at the token endpoint: single use (AADSTS54005).
code=$($PY -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["code"][0])' "$LOC")
redeem() {
	curl -s -o "$T/redeem.json" -w '%{http_code}' \
	    --data-urlencode "client_id=$CLIENT" \
	    --data-urlencode grant_type=authorization_code \
	    --data-urlencode "code=$1" \
	    --data-urlencode "redirect_uri=$2" \
	    --data-urlencode "code_verifier=$3" \
	    "$FAKE/$TENANT/oauth2/v2.0/token"
}
aadsts() { $PY -c 'import json, sys
print(json.load(open(sys.argv[1]))["error_codes"][0])' "$T/redeem.json"; }
NATIVE=https://login.microsoftonline.com/common/oauth2/nativeclient
expect "reused code" "$(redeem "$code" "$NATIVE" \
    dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk)" 400
expect "reused code AADSTS" "$(aadsts)" 54005

# A request through ewsgw with the token the browser sign-in stored.
start_gw
expect "GetFolder through ewsgw" \
    "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml")" 200
grep -q 'ResponseClass="Success"' "$T/resp.xml" || fail "no Success"
stop_gw

# Just the code pasted, not the whole address.
start_browser carol
fake_post /_fake/authorize '{"action":"approve"}'
LOC=$(landing)
printf 'code=%s\n' "$(printf '%s' "$LOC" | sed 's/.*code=\([^&]*\).*/\1/')" \
    | sed 's/^code=//' >&3
finish_browser carol 0 '^signed in carol (carol@contoso.example)'

# The person cancels: the error on the redirect in plain words.
start_browser carol
fake_post /_fake/authorize '{"action":"decline"}'
LOC=$(landing)
case "$LOC" in *'error=access_denied'*) ;; *) fail "decline: $LOC" ;; esac
printf '%s\n' "$LOC" >&3
finish_browser carol 1 "^ewsgw: the identity platform refused the sign-in: \
AADSTS65004: User declined to consent to access the app. (access_denied)"

# A pasted address whose state is not this sign-in's: refused, not
# redeemed.
start_browser carol
fake_post /_fake/authorize '{"action":"approve"}'
LOC=$(landing)
printf '%s\n' "$LOC" | sed 's/&state=[^&]*/\&state=forged/' >&3
before=$(fake_stat token.authorization_code)
finish_browser carol 1 "^ewsgw: the redirect's state does not match"
expect "redemptions after a forged state" \
    "$(fake_stat token.authorization_code)" "$before"

# Garbage first, then stdin ends: a hint, then a clear reason.
start_browser carol
printf 'not a url\n' >&3
finish_browser carol 1 '^ewsgw: stdin ended before the address'
grep -q 'neither the address the browser landed on nor a code' \
    "$T/login-carol.out" || fail "no hint for garbage"

# Someone else signs in: refused as in the device flow.
start_browser carol
fake_post /_fake/authorize '{"action":"approve","user":"bob@contoso.example"}'
landing >&3
echo >&3
finish_browser carol 1 \
    'bob@contoso.example signed in, but carol is mapped to mailbox carol@'

# Loopback: redirect_uri http://localhost (no port: ewsgw picks one and
# listens there); curl plays the browser and follows the redirect.
sed 's|^\[office365\]|&\nredirect_uri = http://localhost/|' "$CONF" \
    >"$T/loop.conf"
ewsgw user set carol --mailbox carol@contoso.example >/dev/null
start_browser carol "$T/loop.conf"
case "$(param redirect_uri)" in
http://localhost:[0-9]*/) ;;
*) fail "loopback redirect_uri: $(param redirect_uri)" ;;
esac
fake_post /_fake/authorize '{"action":"approve"}'
page=$(curl -s -L "$URL")
case "$page" in *"Sign-in answer received"*) ;; *) fail "page: $page" ;; esac
finish_browser carol 0 '^signed in carol (carol@contoso.example)'
# the listener is gone with the sign-in
port=$(param redirect_uri | sed 's|http://localhost:\([0-9]*\)/|\1|')
curl -s -o /dev/null "http://127.0.0.1:$port/" && fail "still listening"

# Loopback with a fixed port; an error arrives there too.
lport=$(free_port)
sed "s|^\[office365\]|&\nredirect_uri = http://localhost:$lport|" \
    "$CONF" >"$T/loop2.conf"
start_browser carol "$T/loop2.conf"
expect "fixed redirect_uri" "$(param redirect_uri)" \
    "http://localhost:$lport"
expect "elsewhere on the listener" "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$lport/favicon.ico")" 404
fake_post /_fake/authorize '{"action":"decline"}'
curl -s -L -o /dev/null "$URL"
finish_browser carol 1 'refused the sign-in: AADSTS65004'

# A redirect URI the app did not register: Microsoft shows AADSTS50011
# in the browser and sends nothing back.
sed "s|^\[office365\]|&\nredirect_uri = http://127.0.0.1:$lport/|" \
    "$CONF" >"$T/loop3.conf"
start_browser carol "$T/loop3.conf"
st=$(curl -s -o "$T/page.html" -w '%{http_code}' "$URL")
expect "unregistered redirect_uri" "$st" 400
grep -q 'AADSTS50011' "$T/page.html" || fail "no AADSTS50011 page"
kill -INT "$LP"
finish_browser carol 1 '^ewsgw: sign-in cancelled'

# The fake's PKCE check: a wrong verifier is refused (AADSTS501481)
# and leaves the code usable; the right one redeems it; an expired code
# gets AADSTS70008.
verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk
challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
AZ="$FAKE/$TENANT/oauth2/v2.0/authorize?client_id=$CLIENT&response_type=code"
AZ="$AZ&redirect_uri=http%3A%2F%2Flocalhost%3A1234%2F&state=s1"
AZ="$AZ&scope=https%3A%2F%2Foutlook.office365.com%2FEWS.AccessAsUser.All"
AZ="$AZ+offline_access&login_hint=bob%40contoso.example"
AZ="$AZ&code_challenge=$challenge&code_challenge_method=S256"
fake_post /_fake/authorize '{"action":"approve","count":2}'
code=$(curl -s -o /dev/null -w '%{redirect_url}' "$AZ" |
    sed 's/.*code=\([^&]*\).*/\1/')
expect "wrong verifier" "$(redeem "$code" http://localhost:1234/ \
    "x${verifier#?}")" 400
expect "wrong verifier AADSTS" "$(aadsts)" 501481
expect "other redirect_uri" "$(redeem "$code" http://localhost:1235/ \
    "$verifier")" 400
expect "other redirect_uri AADSTS" "$(aadsts)" 500112
st=$(redeem "$code" http://localhost:1234/ "$verifier")
[ "$st" = 200 ] || { cat "$T/redeem.json"; fail "right verifier: $st"; }
note "right verifier: $st"
fake_post /_fake/config '{"code_lifetime":1}'
code=$(curl -s -o /dev/null -w '%{redirect_url}' "$AZ" |
    sed 's/.*code=\([^&]*\).*/\1/')
sleep 2
expect "expired code" "$(redeem "$code" http://localhost:1234/ \
    "$verifier")" 400
expect "expired code AADSTS" "$(aadsts)" 70008
fake_post /_fake/config '{"code_lifetime":600}'

# Nobody armed at the sign-in page, prompt=none: login_required.
expect "silent sign-in" "$(curl -s -o /dev/null -w '%{redirect_url}' \
    "$AZ&prompt=none" | sed 's/.*error=\([^&]*\).*/\1/')" login_required

# --browser is documented.
ewsgw login --help | grep -q -- '--browser' || fail "no --browser in help"
"$B/ewsgw" --help | grep -q 'login NAME \[--browser\]' ||
    fail "no --browser in ewsgw --help"
