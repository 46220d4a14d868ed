# A client that hangs up mid-response cancels the upstream transfer: the
# access line says so at once and ewsgw keeps serving.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
sed "s/@BYTES@/$((512 * 1024 * 1024))/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
curl -s -u "alice:$ALICE_PW" -H "Content-Type: text/xml; charset=utf-8" --limit-rate 1M -o /dev/null \
    --data-binary @"$T/big.xml" "$GW/EWS/Exchange.asmx" &
cp=$!
sleep 1.5
kill $cp
wait $cp 2>/dev/null
i=0
until grep -q 'op=GetAttachment.*client closed' "$T/gw.log"; do
	i=$((i + 1))
	[ $i -lt 30 ] || { tail "$T/gw.log"; fail "no access line for the cut transfer"; }
	sleep 0.1
done
grep 'op=GetAttachment' "$T/gw.log" | tail -1
expect "still serving" "$(ews alice:$ALICE_PW "$DATA/getfolder-inbox.xml")" 200
