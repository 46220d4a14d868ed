# ropc mode: the Basic password itself gets the token (password grant),
# once; the refresh token is stored sealed and used after a restart with
# no new password grant. A wrong password is 401 and, retried, never
# reaches Microsoft again; an MFA user gets a 403 fault telling to use
# delegated mode; smart lockout (AADSTS50053) stops all password grants.
. "$(dirname "$0")/lib.sh"
start_fake --token-lifetime 6
write_conf
for u in alice:alice bob:bob carol:carol room:room1; do
	ewsgw user add "${u%%:*}" --mailbox "${u#*:}@contoso.example" \
	    --mode ropc || fail "user add $u"
done
# A local password, when set, is checked first (here: the same one).
add_user bob2 bob@contoso.example Bob-pw-1 --mode ropc
start_gw
req="$DATA/getfolder-inbox.xml"
grants() { fake_stat token.password; }
challenge() {
	grep -qi '^WWW-Authenticate: Basic realm="ewsgw"' "$T/h" ||
	    fail "$1: no Basic challenge"
}

# Good password: one grant, then the cached token for every request.
for i in 1 2 3 4 5; do
	expect "alice, request $i" "$(ews alice:Alice-pw-1 "$req")" 200
done
expect "password grants for alice" "$(grants)" 1
$PY "$TOP/tests/e2e/legacy_client.py" "$GW/EWS/Exchange.asmx" alice \
    Alice-pw-1 alice@contoso.example >"$T/legacy.out" 2>&1 ||
    { cat "$T/legacy.out"; fail "exchangelib through ewsgw (ropc)"; }
note "exchangelib read inbox and calendar: $(grep -c . "$T/legacy.out") lines"
expect "password grants after exchangelib" "$(grants)" 1
ewsgw user list --json | $PY -c '
import json, sys
u = {x["name"]: x for x in json.load(sys.stdin)}
assert u["alice"]["token"] == "valid", u["alice"]
' || fail "alice's token state"
fake_log | $PY -c '
import json, sys
ews = [json.loads(l) for l in sys.stdin if "/ews/" in l.lower()]
assert ews and all(r.get("auth_scheme") == "Bearer" and
    r.get("upn") == "alice@contoso.example" for r in ews), ews[:3]
print(len(ews), "EWS requests, all Bearer for alice")
' || fail "upstream saw something else than alice's Bearer token"

# Autodiscover answers a ropc user only once the password got a token.
sed "s/@ADDR@/alice@contoso.example/" "$DATA/autodiscover/pox.xml.in" \
    >"$T/pox.xml"
pox() {
	curl -s -o "$T/ad.xml" -w '%{http_code}' -u "$1" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary @"$T/pox.xml" "$GW/autodiscover/autodiscover.xml"
}
expect "Autodiscover, wrong password" "$(pox alice:guess)" 401
expect "Autodiscover, right password" "$(pox alice:Alice-pw-1)" 200
grep -q "$GW/EWS/Exchange.asmx" "$T/ad.xml" || fail "Autodiscover: no EwsUrl"
expect "password grants after Autodiscover" "$(grants)" 2

# A stale password: one grant, then answered from memory with a 401.
st=$(ews bob:stale-pw "$req" -D "$T/h")
expect "bob, wrong password" "$st" 401
challenge "bob, wrong password"
expect "password grants after bob's first try" "$(grants)" 3
for i in 1 2 3 4 5 6 7 8; do
	st=$(ews bob:stale-pw "$req" -D "$T/h")
	[ "$st" = 401 ] || fail "bob, retry $i: $st"
	challenge "bob, retry $i"
done
expect "password grants after 8 retries" "$(grants)" 3
expect "bob, right password" "$(ews bob:Bob-pw-1 "$req")" 200
expect "password grants after bob's right password" "$(grants)" 4
expect "bob, stale password still refused" "$(ews bob:stale-pw "$req")" 401
expect "bob, right password again" "$(ews bob:Bob-pw-1 "$req")" 200
expect "password grants in the end for bob" "$(grants)" 4

# MFA required: 403 and a fault that tells the admin what to do.
expect "carol (MFA)" "$(ews carol:Carol-pw-1 "$req")" 403
grep -q "switch the user to delegated mode and run 'ewsgw login carol'" \
    "$T/resp.xml" || { cat "$T/resp.xml"; fail "carol: fault text"; }
grep -q AADSTS50076 "$T/resp.xml" || fail "carol: no AADSTS code"
"$B/tests/ewsvalidate" "$T/resp.xml" || fail "carol: fault not schema-valid"
expect "carol again" "$(ews carol:Carol-pw-1 "$req")" 403
expect "password grants after carol" "$(grants)" 5
expect "carol, wrong password" "$(ews carol:nope "$req")" 401
ewsgw user list --json | $PY -c '
import json, sys
u = {x["name"]: x for x in json.load(sys.stdin)}
assert u["carol"]["token"] == "error", u["carol"]
assert u["carol"]["token_error"].startswith("AADSTS50076"), u["carol"]
' || fail "carol's state in user list"

# With a local password: a wrong one never leaves the gateway.
n=$(grants)
expect "bob2, wrong local password" "$(ews bob2:Bob-pw-2 "$req")" 401
expect "no grant for a wrong local password" "$(grants)" "$n"
expect "bob2, right password" "$(ews bob2:Bob-pw-1 "$req")" 200
expect "one grant for bob2" "$(grants)" "$((n + 1))"

# Smart lockout: 5 different wrong passwords lock room1 at the fake;
# the 6th gets 50053, after which ewsgw sends no password for room.
for i in 1 2 3 4 5; do
	expect "room, wrong password $i" "$(ews room:wrong-$i "$req")" 401
done
expect "room, locked" "$(ews room:wrong-6 "$req")" 403
grep -q AADSTS50053 "$T/resp.xml" || fail "room: no 50053 in the fault"
n=$(grants)
expect "room, right password while locked" "$(ews room:Room1-pw-1 "$req")" 403
expect "room, yet another password" "$(ews room:wrong-7 "$req")" 403
expect "no password grant while locked" "$(grants)" "$n"
grep -q "ACCOUNT LOCKED" "$T/gw.log" || fail "the lockout was not logged"
curl -fs "$ADMIN/metrics" |
    grep -q '^ewsgw_token_refresh_total{result="error"} [1-9]' ||
    fail "failed password grants not counted"

# Restart: the sealed refresh token and the stored password check serve
# alice with no password grant (the access token has expired by then, so
# the refresh token does the work); a wrong password is still 401.
refresh=$(fake_stat token.refresh_token)
$PY - "$T/state/ewsgw.db" <<'PY' || fail "alice's tokens are not stored sealed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rt, chk = db.execute("SELECT t.refresh_token, t.password_check FROM tokens t"
    " JOIN users u ON u.id = t.user_id WHERE u.name = 'alice'").fetchone()
assert rt is not None and rt[0] == 1 and b"." not in rt[:4], rt[:8]
assert chk.startswith("pbkdf2-sha256$"), chk
PY
kill -9 "$GW_PID"
wait "$GW_PID" 2>/dev/null
sleep 7		# the stored access token expires: a refresh is needed
start_gw
n=$(grants)
expect "alice after kill -9" "$(ews alice:Alice-pw-1 "$req")" 200
expect "alice again" "$(ews alice:Alice-pw-1 "$req")" 200
expect "password grants after the restart" "$(grants)" "$n"
[ "$(fake_stat token.refresh_token)" -gt "$refresh" ] ||
    fail "no refresh grant after the restart"
expect "alice, wrong password after the restart" \
    "$(ews alice:not-hers "$req")" 401
expect "password grants after the wrong one" "$(grants)" "$((n + 1))"
note "refresh grants: $refresh before, $(fake_stat token.refresh_token) after"

# Nothing secret in the logs.
for s in Alice-pw-1 Bob-pw-1 Carol-pw-1 Room1-pw-1 stale-pw; do
	! grep -q -- "$s" "$T/gw.log" "$T/fake.jsonl" || fail "$s in a log"
done
