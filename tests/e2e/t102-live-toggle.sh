# user disable / enable / remove / add on a running gateway take effect
# within one second, without a restart or a signal.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
req="$DATA/getfolder-inbox.xml"
expect "before" "$(ews alice:$ALICE_PW "$req")" 200
ewsgw user disable alice >/dev/null || fail "disable"
sleep 1
expect "disabled within 1 s" "$(ews alice:$ALICE_PW "$req")" 403
ewsgw user enable alice >/dev/null || fail "enable"
sleep 1
expect "enabled within 1 s" "$(ews alice:$ALICE_PW "$req")" 200
printf 'new-pw\n' | ewsgw user set alice --password-stdin >/dev/null ||
    fail "set password"
sleep 1
expect "old password refused" "$(ews alice:$ALICE_PW "$req")" 401
expect "new password" "$(ews alice:new-pw "$req")" 200
ewsgw user remove alice >/dev/null || fail "remove"
sleep 1
expect "removed" "$(ews alice:new-pw "$req")" 401
