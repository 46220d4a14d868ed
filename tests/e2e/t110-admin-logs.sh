# /healthz, /metrics, and one access line per request (text and JSON).
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1
write_conf "log_format = json"
add_user alice alice@contoso.example "$ALICE_PW"
login alice alice@contoso.example
start_gw
req="$DATA/getfolder-inbox.xml"
expect "ok" "$(ews alice:$ALICE_PW "$req")" 200
expect "unauthenticated" "$(ews alice:bad "$req")" 401
expect "healthz" "$(curl -s "$ADMIN/healthz")" ok
curl -fs "$ADMIN/metrics" >"$T/metrics" || fail "metrics"
grep -q '^ewsgw_requests_total{operation="GetFolder",status="200"} 1$' "$T/metrics" ||
    { cat "$T/metrics"; fail "requests_total"; }
grep -q '^ewsgw_requests_total{operation="-",status="401"} 1$' "$T/metrics" ||
    fail "401 not counted"
grep -q '^ewsgw_request_duration_seconds_count 2$' "$T/metrics" || fail "histogram"
grep -q '^ewsgw_token_refresh_total{result="ok"}' "$T/metrics" || fail "refresh counter"
grep -q '^ewsgw_users{token="valid"} 1$' "$T/metrics" || fail "users gauge"
expect "admin 404" "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/nope")" 404
grep '"operation":"GetFolder"' "$T/gw.log" | $PY -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
assert len(lines) == 1, lines
a = lines[0]
for k in ("time", "request_id", "user", "operation", "status", "upstream_status", "bytes_in", "bytes_out", "duration"):
    assert k in a, (k, a)
assert a["user"] == "alice" and a["status"] == 200 and a["upstream_status"] == 200, a
print("access line ok")
' || fail "access log"
