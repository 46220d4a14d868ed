# exchangelib (Basic auth) through ewsgw: a streaming subscription
# receives the NewMailEvent of a new mail while GetStreamingEvents is
# open, and a pull subscription's GetEvents returns it; the affinity
# cookie exchangelib got through the gateway reaches the fake.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
fake_post /_fake/config '{"stream_minute_ms":3000,"stream_keepalive_ms":1000}'
$PY "$TOP/tests/e2e/notify_client.py" "$GW/EWS/Exchange.asmx" alice \
    "$ALICE_PW" alice@contoso.example "$FAKE" ||
    fail "exchangelib notifications through ewsgw"
fake_log | $PY -c '
import json, sys
ops = {}
for l in sys.stdin:
    r = json.loads(l)
    if r.get("operation"):
        ops.setdefault(r["operation"], []).append(r)
for op in ("Subscribe", "GetStreamingEvents", "GetEvents", "Unsubscribe"):
    assert ops.get(op), "no " + op
    for r in ops[op]:
        assert r["status"] == 200, r
for op in ("GetStreamingEvents", "GetEvents", "Unsubscribe"):
    for r in ops[op]:
        h = r["headers"]
        assert "X-BackEndOverrideCookie=" in h.get("Cookie", ""), r
print("cookie on every later request:", sum(len(ops[o]) for o in ops))
' || fail "affinity cookie upstream"
