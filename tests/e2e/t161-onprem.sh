# onprem mode: requests go to [onprem] ews_url with the client's Basic
# header unchanged and no token; exchangelib reads the inbox; a wrong
# password is a 401 whose only challenge is ewsgw's Basic one (never the
# server's Negotiate/NTLM); X-AnchorMailbox, streaming, logs and metrics
# work as in the other modes; without [onprem] ews_url a clear fault.
. "$(dirname "$0")/lib.sh"
start_fake
write_conf "log_format = json"
cat >>"$CONF" <<CONF

[onprem]
ews_url = $FAKE/OnPrem/EWS/Exchange.asmx
CONF
ewsgw user add alice --mailbox alice@contoso.example --mode onprem ||
    fail "user add alice"
ewsgw user add bob --mailbox bob@contoso.example --mode onprem ||
    fail "user add bob"
start_gw
req="$DATA/getfolder-inbox.xml"

$PY "$TOP/tests/e2e/legacy_client.py" "$GW/EWS/Exchange.asmx" alice \
    Alice-pw-1 alice@contoso.example >"$T/legacy.out" 2>&1 ||
    { cat "$T/legacy.out"; fail "exchangelib through ewsgw (onprem)"; }
grep '^version:' "$T/legacy.out"
fake_log | $PY -c '
import json, sys
log = [json.loads(l) for l in sys.stdin]
assert not [r for r in log if r.get("target") == "token"], "token requests"
ews = [r for r in log if r.get("target") == "ews"]
assert ews, "nothing reached the fake"
for r in ews:
    assert r["path"].lower().startswith("/onprem/ews/"), r["path"]
    assert r.get("auth_scheme") == "Basic", r
    assert r.get("basic_user") == "alice", r
    assert r.get("upn") == "alice@contoso.example" and "aud" not in r, r
    assert "Via" in r.get("headers", {}), r
print(len(ews), "requests at the on-prem EWS, all Basic as alice, no Bearer")
' || fail "upstream requests"

# The Basic header goes unchanged (here with a DOMAIN\ prefix); the
# answer is Exchange 2019's.
expect "CONTOSO\\\\bob" "$(ews 'CONTOSO\bob:Bob-pw-1' "$req")" 200
grep -q 'MajorVersion="15" MinorVersion="2"' "$T/resp.xml" ||
    fail "not Exchange 2019's ServerVersionInfo"
fake_log | tail -1 | grep -q '"basic_user":"CONTOSO\\\\bob"' ||
    { fake_log | tail -1; fail "bob's Basic header was not passed on"; }
fake_log | tail -1 | grep -q '"X-AnchorMailbox":"bob@contoso.example"' ||
    fail "no X-AnchorMailbox for bob"
expect "client's X-AnchorMailbox" "$(ews bob:Bob-pw-1 "$req" \
    -H 'X-AnchorMailbox: alice@contoso.example')" 200
fake_log | tail -1 | grep -q '"X-AnchorMailbox":"alice@contoso.example"' ||
    fail "the client's X-AnchorMailbox was replaced"

# A wrong password: the server's 401, with only ewsgw's Basic challenge.
before=$(fake_stat ews)
st=$(ews alice:wrong "$req" -D "$T/h")
expect "wrong password" "$st" 401
expect "challenges" "$(grep -ci '^WWW-Authenticate:' "$T/h")" 1
grep -qi '^WWW-Authenticate: Basic realm="ewsgw"' "$T/h" ||
    fail "no Basic challenge"
! grep -qi 'NTLM\|Negotiate' "$T/h" || fail "NTLM or Negotiate offered"
expect "the wrong password reached the server" "$(fake_stat ews)" \
    "$((before + 1))"
st=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' \
    -H 'Content-Type: text/xml' --data-binary @"$req" "$GW/EWS/Exchange.asmx")
expect "no credentials" "$st" 401
expect "no credentials stay local" "$(fake_stat ews)" "$((before + 1))"

# Streaming: a 64 MiB attachment arrives whole.
bytes=$((64 * 1024 * 1024))
sed "s/@BYTES@/$bytes/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
expect "big attachment" "$(ews alice:Alice-pw-1 "$T/big.xml")" 200
size=$(stat -c %s "$T/resp.xml")
[ "$size" -gt "$bytes" ] || fail "body too short: $size bytes"
tail -c 200 "$T/resp.xml" | grep -q 'Envelope>' || fail "body cut short"

# Logs and metrics as in the other modes; the password never in them.
grep '"operation":"GetFolder"' "$T/gw.log" | grep '"user":"bob"' |
    grep -q '"mode":"onprem"' || fail "no access line for bob"
curl -fs "$ADMIN/metrics" >"$T/metrics" || fail "metrics"
grep -q '^ewsgw_requests_total{operation="GetAttachment",status="200"} 1$' \
    "$T/metrics" || { grep requests_total "$T/metrics"; fail "metrics"; }
grep -q '^ewsgw_requests_total{operation="GetFolder",status="401"} 1$' \
    "$T/metrics" || fail "upstream 401 not counted"
for s in Alice-pw-1 Bob-pw-1 QWxpY2U; do
	! grep -q -- "$s" "$T/gw.log" "$T/fake.jsonl" || fail "$s in a log"
done

# [onprem] ews_url unset: a fault that says so, nothing sent anywhere.
stop_gw
sed -i '/^\[onprem\]/,$d' "$CONF"
start_gw
before=$(fake_stat ews)
expect "ews_url unset" "$(ews alice:Alice-pw-1 "$req")" 500
grep -q '\[onprem\] ews_url is not set' "$T/resp.xml" ||
    { cat "$T/resp.xml"; fail "fault text"; }
"$B/tests/ewsvalidate" "$T/resp.xml" || fail "fault not schema-valid"
expect "nothing sent" "$(fake_stat ews)" "$before"
