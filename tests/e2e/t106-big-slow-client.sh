# A 256 MiB response to a slow client: ewsgw's memory stays bounded
# (upstream paused while the client's buffer is full), and every byte
# arrives.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
bytes=$((256 * 1024 * 1024))
sed "s/@BYTES@/$bytes/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
base=$(rss_kb "$GW_PID")
# 64 MiB/s: slower than loopback, so the gateway must hold back upstream.
curl -s -u "alice:$ALICE_PW" -H "Content-Type: text/xml; charset=utf-8" --limit-rate 64M -o "$T/big.out" \
    -w '%{http_code}' --data-binary @"$T/big.xml" \
    "$GW/EWS/Exchange.asmx" >"$T/status" &
peak_rss "$GW_PID" $!
peak=$PEAK
expect "status" "$(cat "$T/status")" 200
size=$(stat -c %s "$T/big.out")
[ "$size" -gt "$bytes" ] || fail "body too short: $size bytes"
tail -c 200 "$T/big.out" | grep -q 'Envelope>' || fail "body does not end the envelope"
note "ewsgw RSS: start ${base} KiB, peak ${peak} KiB, body $size bytes"
[ $((peak - base)) -lt 32768 ] || fail "ewsgw grew by $((peak - base)) KiB"
echo "figure: peak_rss_kib=$peak growth_kib=$((peak - base)) body_bytes=$size"
