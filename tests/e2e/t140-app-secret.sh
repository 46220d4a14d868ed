# App mode with a client secret: one app-only token (client credentials)
# shared by every app user; ewsgw sets ExchangeImpersonation and
# X-AnchorMailbox to each user's mailbox; curl and exchangelib (Basic to
# ewsgw) read the user's own mailbox. A wrong secret is a fault naming
# AADSTS7000215 and client_secret_file, and no EWS request leaves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/app_lib.sh"
app_secret_setup
add_user pbx-alice alice@contoso.example alice-pw --mode app
add_user pbx-bob bob@contoso.example bob-pw --mode app
start_gw

st=$(ews pbx-alice:alice-pw "$DATA/getfolder-inbox.xml")
expect "app GetFolder" "$st" 200
app_reads_own pbx-bob bob-pw bob@contoso.example
fake_log | $PY -c '
import json, sys
ews = [json.loads(l) for l in sys.stdin if "/ews/" in l.lower()]
assert len(ews) >= 4, ews
for r in ews:
    assert r.get("app") is True, r
    if r.get("fault_code") == "ErrorInvalidServerVersion":
        continue	# exchangelib probing versions
    h = r.get("headers") or {}
    assert r.get("impersonated") == h.get("X-AnchorMailbox"), r
    assert r.get("impersonated_by") == "PrimarySmtpAddress", r
    assert r.get("status") == 200, r
who = sorted(set(r["impersonated"] for r in ews if "impersonated" in r))
assert who == ["alice@contoso.example", "bob@contoso.example"], who
print(len(ews), "EWS requests, app-only, impersonating", who)
' || fail "upstream requests"
# exchangelib impersonating: a mailbox on the list, then one off it.
ewsgw user set pbx-bob --impersonate carol@contoso.example >/dev/null ||
    fail "user set --impersonate"
sleep 1.2	# a CLI change reaches serve within a second
$PY "$TOP/tests/e2e/app_impersonate.py" "$GW/EWS/Exchange.asmx" pbx-bob \
    bob-pw carol@contoso.example >"$T/imp.out" 2>&1 ||
    { cat "$T/imp.out"; fail "exchangelib impersonating carol"; }
fake_log | tail -1 | grep -q '"impersonated":"carol@contoso.example"' ||
    fail "carol's mailbox was not the one served"
note "exchangelib (IMPERSONATION) read carol's inbox as pbx-bob"
a0=$(fake_log | grep -c '"impersonated":"alice@contoso.example"')
$PY "$TOP/tests/e2e/app_impersonate.py" "$GW/EWS/Exchange.asmx" pbx-bob \
    bob-pw alice@contoso.example >"$T/imp.out" 2>&1
expect "exchangelib impersonating alice (off the list)" "$?" 3
# (its version probe carries no impersonation: ewsgw sends it as bob)
expect "nothing reached alice's mailbox" \
    "$(fake_log | grep -c '"impersonated":"alice@contoso.example"')" "$a0"
expect "one client_credentials request for all" \
    "$(fake_stat token.client_credentials)" 1
grep -q 'fake-app-secret' "$T/gw.log" "$T/fake.jsonl" &&
    fail "the secret appears in a log"

out=$(ewsgw check pbx-alice) || fail "check pbx-alice: $out"
echo "$out" | grep -q '^pbx-alice: ok: .*inbox of alice@contoso.example' ||
    fail "check pbx-alice says: $out"
note "$out"

# A wrong secret: a fault that names it; EWS never sees the request.
stop_gw
printf 'the-secret-ID-not-its-value\n' >"$T/secret"
start_gw
token_refused "wrong secret" pbx-alice:alice-pw 7000215 client_secret_file
out=$(ewsgw check pbx-alice) && fail "check with a wrong secret: $out"
echo "$out" | grep -q 'AADSTS7000215' || fail "check says: $out"
note "check: $out"
# Backed off: a second request does not hammer the identity platform.
t0=$(fake_stat token_error)
st=$(ews pbx-alice:alice-pw "$DATA/getfolder-inbox.xml")
expect "during back-off" "$st" 500
expect "no second token request" "$(fake_stat token_error)" "$t0"

# A secret file others may read stops start-up.
stop_gw
chmod 644 "$T/secret"
ewsgw serve >"$T/serve.out" 2>&1 && fail "serve started"
grep -q 'open to others' "$T/serve.out" || fail "$(cat "$T/serve.out")"
note "world-readable client_secret_file refused"
exit 0
