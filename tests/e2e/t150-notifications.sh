# Pull and streaming notifications through ewsgw (curl as the client):
# the affinity cookie comes back without `secure` and the client's next
# requests carry it upstream; GetStreamingEvents streams each envelope as
# it is written, outlives client_timeout while keep-alives flow and ends
# with ConnectionStatus Closed; GetEvents reads a pull subscription.
. "$(dirname "$0")/lib.sh"
GW_CONF="client_timeout = 2s" gateway_with_alice --device-interval 1
u="alice:$ALICE_PW"
V="$B/tests/ewsvalidate"
fake_post /_fake/config '{"stream_minute_ms":3000,"stream_keepalive_ms":700}'
jar="$T/cookies.txt"

valid() { "$V" "$T/resp.xml" || fail "$1: answer not schema-valid"; }
# sub_id FILE: the SubscriptionId in a SubscribeResponse.
sub_id() { sed -n 's/.*<m:SubscriptionId>\([^<]*\)<.*/\1/p' "$1"; }
wmark() { sed -n 's/.*<m:Watermark>\([^<]*\)<.*/\1/p' "$1"; }
gse_body() {
	sed -e "s|@ID@|$1|" -e "s|@MINUTES@|$2|" \
	    "$DATA/getstreamingevents.xml.in" >"$T/gse.xml"
}

# Streaming Subscribe asking for affinity: Set-Cookie without secure.
st=$(ews "$u" "$DATA/subscribe-streaming.xml" -D "$T/h1" -c "$jar" \
    -H 'X-PreferServerAffinity: true')
expect "streaming Subscribe" "$st" 200
valid "streaming Subscribe"
sid=$(sub_id "$T/resp.xml")
[ -n "$sid" ] || fail "no SubscriptionId"
sc=$(grep -i '^Set-Cookie:' "$T/h1" | tr -d '\r')
note "gateway sent: $sc"
echo "$sc" | grep -q 'X-BackEndOverrideCookie=' || fail "no affinity cookie"
echo "$sc" | grep -qi 'secure' && fail "secure was not stripped: $sc"
echo "$sc" | grep -qi 'HttpOnly' || fail "HttpOnly lost: $sc"
echo "$sc" | grep -qi 'path=/' || fail "path lost: $sc"
fake_log | grep '"Subscribe"' | grep -q '"X-PreferServerAffinity":"true"' ||
    fail "X-PreferServerAffinity did not reach the fake"
cookie=$(echo "$sc" | sed 's/^[^:]*: *X-BackEndOverrideCookie=\([^;]*\).*/\1/')

# Without the cookie the subscription is not found (Closed at once).
gse_body "$sid" 1
st=$(ews "$u" "$T/gse.xml")
expect "GetStreamingEvents without the cookie" "$st" 200
grep -q ErrorSubscriptionNotFound "$T/resp.xml" || fail "no ErrorSubscriptionNotFound"
grep -q '>Closed<' "$T/resp.xml" || fail "not Closed"
"$V" --stream "$T/resp.xml" || fail "refusal not schema-valid"

# With it (curl's cookie engine sends it only because secure is gone):
# a 1-minute connection (3 s here, past client_timeout = 2s), keep-alives
# every 0.7 s, and a new mail that must arrive while the stream is open.
start=$(date +%s)
curl -sN -o "$T/stream.xml" -w '%{http_code}' -u "$u" -b "$jar" \
    -H 'Content-Type: text/xml; charset=utf-8' -H 'X-PreferServerAffinity: true' \
    --data-binary "@$T/gse.xml" "$GW/EWS/Exchange.asmx" >"$T/stream.code" &
cpid=$!
sleep 1
fake_post /_fake/notify '{"user":"alice@contoso.example"}'
sleep 0.5
grep -q NewMailEvent "$T/stream.xml" || fail "NewMailEvent not streamed at once"
kill -0 $cpid 2>/dev/null || fail "stream ended early"
wait $cpid || fail "streaming curl failed"
expect "GetStreamingEvents status" "$(cat "$T/stream.code")" 200
took=$(( $(date +%s) - start ))
[ $took -ge 3 ] || fail "stream ended after ${took}s, before its 3 s"
"$V" --stream "$T/stream.xml" || fail "stream not schema-valid"
n=$(grep -o '</s:Envelope>' "$T/stream.xml" | wc -l)
[ "$n" -ge 4 ] || fail "only $n envelopes in the stream"
note "stream: $n envelopes in ${took}s"
tail -c 400 "$T/stream.xml" | grep -q '<m:ConnectionStatus>Closed</m:ConnectionStatus>' ||
    fail "last envelope is not ConnectionStatus Closed"
grep -q '<t:NewMailEvent>' "$T/stream.xml" || fail "no NewMailEvent"
fake_log | $PY -c '
import json, sys
want = sys.argv[1]
gse = [json.loads(l) for l in sys.stdin if "GetStreamingEvents" in l]
assert len(gse) == 2, gse
assert "Cookie" not in gse[0]["headers"], gse[0]
assert gse[1]["headers"].get("Cookie") == "X-BackEndOverrideCookie=" + want, gse[1]
' "$cookie" || fail "the client's cookie did not reach the fake"
grep -q 'GetStreamingEvents.*200' "$T/gw.log" || fail "no access line"

# Keep-alives sparser than client_timeout: the connection's timeout is
# raised to stream_timeout for a GetStreamingEvents (evhttp would cut a
# connection quiet for client_timeout), so this stream is not cut either.
fake_post /_fake/config '{"stream_keepalive_ms":2500}'
gse_body "$sid" 2
st=$(ews "$u" "$T/gse.xml" -b "$jar")
expect "quiet 6 s stream" "$st" 200
tail -c 400 "$T/resp.xml" | grep -q '>Closed<' || fail "quiet stream cut"
"$V" --stream "$T/resp.xml" || fail "quiet stream not schema-valid"

# Pull: Subscribe, GetEvents (a StatusEvent), a new mail, GetEvents.
st=$(ews "$u" "$DATA/subscribe-pull.xml" -b "$jar" -c "$jar" \
    -H 'X-PreferServerAffinity: true')
expect "pull Subscribe" "$st" 200
valid "pull Subscribe"
pid=$(sub_id "$T/resp.xml")
wm=$(wmark "$T/resp.xml")
[ -n "$pid" ] && [ -n "$wm" ] || fail "no SubscriptionId/Watermark"
ge() {
	sed -e "s|@ID@|$pid|" -e "s|@WATERMARK@|$1|" \
	    "$DATA/getevents.xml.in" >"$T/ge.xml"
	ews "$u" "$T/ge.xml" -b "$jar"
}
expect "GetEvents" "$(ge "$wm")" 200
valid "GetEvents"
grep -q '<t:StatusEvent>' "$T/resp.xml" || fail "no StatusEvent"
fake_post /_fake/notify '{"user":"alice@contoso.example"}'
expect "GetEvents after a new mail" "$(ge "$wm")" 200
valid "GetEvents after a new mail"
grep -q '<t:NewMailEvent>' "$T/resp.xml" || fail "no NewMailEvent in GetEvents"
expect "GetEvents bad watermark" "$(ge AAAA)" 200
grep -q ErrorInvalidWatermark "$T/resp.xml" || fail "no ErrorInvalidWatermark"
valid "bad watermark"
