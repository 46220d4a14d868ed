# A revoked refresh token: the user moves to needs-login with the AADSTS
# code, and the client gets a clear EWS fault naming 'ewsgw login'.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1 --token-lifetime 3
req="$DATA/getfolder-inbox.xml"
fake_post /_fake/revoke '{"user":"alice@contoso.example"}'
sleep 4
expect "status" "$(ews alice:$ALICE_PW "$req")" 500
grep -q 'ErrorAccessDenied' "$T/resp.xml" || fail "no ErrorAccessDenied"
grep -q "ewsgw login alice" "$T/resp.xml" || fail "fault does not say what to do"
"$B/tests/ewsvalidate" "$T/resp.xml" || fail "fault does not validate"
ewsgw user list --json | $PY -c '
import json, sys
u = [x for x in json.load(sys.stdin) if x["name"] == "alice"][0]
assert u["token"] == "needs-login", u
assert "AADSTS50173" in u.get("token_error", ""), u
' || fail "user list does not show needs-login"
login alice alice@contoso.example
sleep 1
expect "after login again" "$(ews alice:$ALICE_PW "$req")" 200
