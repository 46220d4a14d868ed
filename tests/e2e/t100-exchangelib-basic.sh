# A legacy client (exchangelib with Basic auth) reads the inbox and a
# calendar view through ewsgw; upstream saw alice's Bearer token only.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
$PY "$TOP/tests/e2e/legacy_client.py" "$GW/EWS/Exchange.asmx" alice \
    "$ALICE_PW" alice@contoso.example || fail "exchangelib through ewsgw"
fake_log | $PY -c '
import json, sys
ews = [json.loads(l) for l in sys.stdin if "/ews/" in l.lower()]
assert ews, "no EWS request reached fake365"
for r in ews:
    assert r.get("auth_scheme") == "Bearer", r
    assert r.get("upn") == "alice@contoso.example", r
    assert (r.get("headers") or {}).get("X-AnchorMailbox") == "alice@contoso.example", r
print(len(ews), "EWS requests, all Bearer for alice")
' || fail "upstream requests"
