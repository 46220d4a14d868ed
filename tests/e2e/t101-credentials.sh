# Missing, wrong and unknown credentials get 401 with a Basic challenge;
# a disabled user 403; none of them reaches upstream.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
add_user bob bob@contoso.example bob-pw --disabled
req="$DATA/getfolder-inbox.xml"
before=$(fake_stat ews)

st=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' --data-binary @"$req" \
    "$GW/EWS/Exchange.asmx")
expect "no credentials" "$st" 401
grep -qi '^WWW-Authenticate: Basic realm="ewsgw"' "$T/h" || fail "no challenge"
expect "wrong password" "$(ews alice:nope "$req")" 401
expect "unknown user" "$(ews mallory:x "$req")" 401
expect "disabled user" "$(ews bob:bob-pw "$req")" 403
expect "disabled user, wrong password" "$(ews bob:nope "$req")" 401
expect "other scheme" "$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer abc' --data-binary @"$req" \
    "$GW/EWS/Exchange.asmx")" 401
expect "upstream requests" "$(fake_stat ews)" "$before"
expect "right password" "$(ews alice:$ALICE_PW "$req")" 200
expect "name case-insensitive" "$(ews ALICE:$ALICE_PW "$req")" 200
