# Exchange Online's per-mailbox limits: 40 concurrent slow requests of one
# mailbox reach the fake at most 27 at a time and all complete; a request
# that waits past queue_timeout gets ErrorServerBusy with a back-off;
# GetStreamingEvents has a budget of its own; throttling answers from
# upstream (503 + Retry-After, ErrorServerBusy) pass through unchanged
# and are not retried.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
u="alice:$ALICE_PW"
V="$B/tests/ewsvalidate"
req="$DATA/getfolder-inbox.xml"

# concurrency KEY: ews_concurrency of alice from /_fake/stats.
concurrency() {
	curl -fs "$FAKE/_fake/stats" | $PY -c '
import json, sys
c = json.load(sys.stdin).get("ews_concurrency", {})
print(c.get("alice@contoso.example", {}).get(sys.argv[1], 0))' "$1"
}
# burst N: N requests at once, each status into $T/burst/I.
burst() {
	rm -rf "$T/burst"
	mkdir -p "$T/burst"
	i=0
	bpids=""
	while [ $i -lt "$1" ]; do
		curl -s -m 30 -o "$T/burst/$i.xml" -w '%{http_code}' -u "$u" \
		    -H 'Content-Type: text/xml; charset=utf-8' \
		    --data-binary "@$2" "$GW/EWS/Exchange.asmx" \
		    >"$T/burst/$i.code" &
		bpids="$bpids $!"
		i=$((i + 1))
	done
	for p in $bpids; do wait $p; done
}
codes() { for f in "$T"/burst/*.code; do cat "$f"; echo; done | sort | uniq -c | tr -s ' ' | tr '\n' ','; }

# 40 at once, each held 1.5 s by the fake: 27 go, 13 queue, all succeed.
ewsgw user list >/dev/null
fake_post /_fake/reset '{}'
fake_post /_fake/config '{"ews_delay_ms":1500}'
start=$(date +%s)
burst 40 "$req"
took=$(( $(date +%s) - start ))
expect "40 concurrent requests" "$(codes)" " 40 200,"
expect "peak upstream concurrency of alice" "$(concurrency peak)" 27
expect "in flight afterwards" "$(concurrency now)" 0
[ $took -ge 3 ] && [ $took -le 20 ] || fail "40 requests took ${took}s"
note "40 requests in ${took}s"

# A small budget and a short queue: the third request of three waits
# queue_timeout (1 s) and gets ErrorServerBusy naming the limit.
stop_gw
write_conf "max_concurrent_per_mailbox = 2
max_streams_per_mailbox = 1
queue_timeout = 1s"
start_gw
fake_post /_fake/config '{"ews_delay_ms":3000}'
start=$(date +%s)
burst 3 "$req"
took=$(( $(date +%s) - start ))
expect "3 requests over a budget of 2" "$(codes)" " 2 200, 1 500,"
busy=$(grep -l ErrorServerBusy "$T"/burst/*.xml)
[ -n "$busy" ] || fail "no ErrorServerBusy"
grep -q 'BackOffMilliseconds' $busy || fail "no BackOffMilliseconds"
grep -q 'max_concurrent_per_mailbox' $busy || fail "cause not named"
grep -q 'alice@contoso.example' $busy || fail "mailbox not named"
grep -q 'ErrorExceededConnectionCount' $busy && fail "wrong code"
"$V" $busy || fail "busy fault not schema-valid"
grep -q 'mailbox_concurrency' "$T/gw.log" || fail "refusal not logged"

# Streaming has its own budget (1 here): a second GetStreamingEvents
# waits and is refused, an ordinary request meanwhile goes through.
fake_post /_fake/config '{"ews_delay_ms":0,"stream_minute_ms":3000,"stream_keepalive_ms":500}'
expect "streaming Subscribe" "$(ews "$u" "$DATA/subscribe-streaming.xml")" 200
sid=$(sed -n 's/.*<m:SubscriptionId>\([^<]*\)<.*/\1/p' "$T/resp.xml")
sed -e "s|@ID@|$sid|" -e "s|@MINUTES@|1|" \
    "$DATA/getstreamingevents.xml.in" >"$T/gse.xml"
curl -s -m 30 -o "$T/s1.xml" -u "$u" -H 'Content-Type: text/xml; charset=utf-8' \
    --data-binary "@$T/gse.xml" "$GW/EWS/Exchange.asmx" &
spid=$!
sleep 0.5
expect "ordinary request during the stream" "$(ews "$u" "$req")" 200
expect "second stream over max_streams_per_mailbox" \
    "$(ews "$u" "$T/gse.xml")" 500
grep -q 'max_streams_per_mailbox' "$T/resp.xml" || fail "stream cause not named"
"$V" "$T/resp.xml" || fail "stream refusal not schema-valid"
wait $spid
grep -q '>Closed<' "$T/s1.xml" || fail "first stream did not end normally"
expect "streams in flight afterwards" "$(concurrency streams_now)" 0
expect "peak streams" "$(concurrency streams_peak)" 1

# Throttling from upstream passes through as it is, once.
n0=$(fake_stat ews)
fake_post /_fake/fault '{"target":"ews","kind":"http503","count":1,"retry_after":7}'
expect "upstream 503" "$(ews "$u" "$req" -D "$T/h503")" 503
grep -qi '^Retry-After: 7' "$T/h503" || fail "Retry-After lost"
fake_post /_fake/fault '{"target":"ews","kind":"busy","count":1,"backoff_ms":4321}'
expect "upstream ErrorServerBusy" "$(ews "$u" "$req")" 500
grep -q '<t:Value Name="BackOffMilliseconds">4321</t:Value>' "$T/resp.xml" ||
    fail "upstream back-off changed"
grep -q GatewayReason "$T/resp.xml" && fail "upstream fault rewritten"
"$V" "$T/resp.xml" || fail "upstream busy fault not schema-valid"
expect "upstream requests for those two" "$(( $(fake_stat ews) - n0 ))" 2

# Never twice: curl resends a request whose reused connection closed
# before any answer byte (again on the next pooled connection, up to 5
# times). Reads may be resent; a write only goes out on a connection idle
# under 4 s, so after 5 s idle it gets a fresh connection, and a drop
# there is answered, not resent.
curl -fs -X DELETE "$FAKE/_fake/fault" >/dev/null
fake_post /_fake/config '{"ews_delay_ms":0}'
expect "warm-up" "$(ews "$u" "$req")" 200
sleep 5
fake_post /_fake/fault '{"target":"ews","kind":"down","count":2}'
n0=$(fake_stat ews)
ews "$u" "$req" >/dev/null
sent=$(( $(fake_stat ews) - n0 ))
[ $sent -ge 2 ] || fail "read on a dropped reused connection sent $sent times"
note "read on a dropped reused connection: sent $sent times"
expect "warm-up" "$(ews "$u" "$req")" 200
sleep 5
fake_post /_fake/fault '{"target":"ews","kind":"down","count":2}'
n0=$(fake_stat ews)
expect "write on a dropped connection" "$(ews "$u" "$DATA/createitem.xml")" 500
grep -q ErrorServerBusy "$T/resp.xml" || fail "write: no ErrorServerBusy"
expect "writes sent" "$(( $(fake_stat ews) - n0 ))" 1
curl -fs -X DELETE "$FAKE/_fake/fault" >/dev/null

# With a gateway limit above Exchange Online's, EXO refuses the excess
# itself (ErrorExceededConnectionCount, which fails the request instead
# of delaying it), and the refusal passes through unchanged. (A first
# request has the gateway remember alice's Basic check: 30 first checks
# at once take seconds, and all 30 must be in flight together.)
stop_gw
write_conf "max_concurrent_per_mailbox = 30"
start_gw
expect "warm-up (Basic check cached)" "$(ews "$u" "$req")" 200
fake_post /_fake/config '{"ews_delay_ms":4000}'
expect "in flight before" "$(concurrency now)" 0
burst 30 "$req"
expect "30 at once past EXO's 27" "$(codes)" " 27 200, 3 500,"
n=$(grep -l ErrorExceededConnectionCount "$T"/burst/*.xml | wc -l)
expect "ErrorExceededConnectionCount from upstream" "$n" 3
"$V" $(grep -l ErrorExceededConnectionCount "$T"/burst/*.xml | head -1) ||
    fail "EXO's concurrency fault not schema-valid"
