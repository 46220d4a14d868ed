# With 3-second tokens, 50 concurrent requests of one user after expiry
# trigger exactly one refresh, and all 50 succeed.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1 --token-lifetime 3
req="$DATA/getfolder-inbox.xml"
expect "warm" "$(ews alice:$ALICE_PW "$req")" 200
sleep 4
before=$(fake_stat token.refresh_token)
i=0
pids=""
while [ $i -lt 50 ]; do
	ews alice:$ALICE_PW "$req" >"$T/st.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
ok=$(grep -lx 200 "$T"/st.* | wc -l)
expect "concurrent successes" "$ok" 50
after=$(fake_stat token.refresh_token)
expect "refreshes" "$((after - before))" 1
