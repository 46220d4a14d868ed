# A restart (even kill -9) keeps users and tokens: no new sign-in needed.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
req="$DATA/getfolder-inbox.xml"
expect "before" "$(ews alice:$ALICE_PW "$req")" 200
refreshes=$(fake_stat token.refresh_token)
kill -9 "$GW_PID"
wait "$GW_PID" 2>/dev/null
start_gw
expect "after kill -9" "$(ews alice:$ALICE_PW "$req")" 200
stop_gw
start_gw
expect "after restart" "$(ews alice:$ALICE_PW "$req")" 200
# The stored access token was still good: no refresh, no new sign-in.
expect "refreshes after restarts" "$(fake_stat token.refresh_token)" "$refreshes"
