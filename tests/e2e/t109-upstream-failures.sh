# Upstream trouble becomes what EWS clients parse: HTTP 500 + SOAP fault
# with a real ResponseCode and a message naming the cause. Never a hang.
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1 --token-lifetime 3
write_conf "upstream_timeout = 2s
connect_timeout = 1s"
add_user alice alice@contoso.example "$ALICE_PW"
login alice alice@contoso.example
start_gw
req="$DATA/getfolder-inbox.xml"
u="alice:$ALICE_PW"
valid() { "$B/tests/ewsvalidate" "$T/resp.xml" || fail "$1: fault does not validate"; }

# An upstream 401 (token refused): one refresh, one replay, success.
r0=$(fake_stat token.refresh_token)
fake_post /_fake/fault '{"target":"ews","kind":"http401","count":1}'
expect "401 then replay" "$(ews $u "$req")" 200
expect "refresh for the replay" "$(( $(fake_stat token.refresh_token) - r0 ))" 1
# Refused every time: ErrorAccessDenied, never a Bearer challenge.
fake_post /_fake/fault '{"target":"ews","kind":"http401","count":-1}'
st=$(ews $u "$req" -D "$T/h")
expect "401 twice" "$st" 500
grep -q ErrorAccessDenied "$T/resp.xml" || fail "401 twice: no ErrorAccessDenied"
grep -qi 'WWW-Authenticate' "$T/h" && fail "a challenge reached the client"
valid "401 twice"
curl -fs -X DELETE "$FAKE/_fake/fault" >/dev/null

# Upstream answers 503 / ErrorServerBusy: passed through unchanged.
fake_post /_fake/fault '{"target":"ews","kind":"busy","count":1}'
expect "busy passthrough" "$(ews $u "$req")" 500
grep -q BackOffMilliseconds "$T/resp.xml" || fail "back-off hint lost"
fake_post /_fake/fault '{"target":"ews","kind":"http503","count":1}'
expect "503 passthrough" "$(ews $u "$req")" 503

# Upstream slower than upstream_timeout: ErrorTimeoutExpired in ~2 s.
fake_post /_fake/fault '{"target":"ews","kind":"delay","delay_ms":5000,"count":1}'
start=$(date +%s)
expect "slow upstream" "$(ews $u "$req")" 500
grep -q ErrorTimeoutExpired "$T/resp.xml" || fail "slow: no ErrorTimeoutExpired"
[ $(( $(date +%s) - start )) -le 4 ] || fail "slow: took too long"
valid "slow"

# Upstream closes without answering: ErrorServerBusy naming the cause.
# (curl retries once, on a fresh connection, a request whose reused
# connection died before any byte came back: so the fault hits twice.)
fake_post /_fake/fault '{"target":"ews","kind":"down","count":2}'
expect "upstream down" "$(ews $u "$req")" 500
grep -q ErrorServerBusy "$T/resp.xml" || fail "down: no ErrorServerBusy"
grep -q 'Exchange Online' "$T/resp.xml" || fail "down: cause not named"
valid "down"

# Identity platform down while the token is expired.
sleep 4
fake_post /_fake/fault '{"target":"token","kind":"down","count":-1}'
expect "identity platform down" "$(ews $u "$req")" 500
grep -q ErrorServerBusy "$T/resp.xml" || fail "idp down: no ErrorServerBusy"
grep -q BackOffMilliseconds "$T/resp.xml" || fail "idp down: no back-off"
valid "idp down"
curl -fs -X DELETE "$FAKE/_fake/fault" >/dev/null

# Nothing listens upstream at all.
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
start=$(date +%s)
expect "no upstream" "$(ews $u "$req")" 500
grep -q ErrorServerBusy "$T/resp.xml" || fail "no upstream: no ErrorServerBusy"
[ $(( $(date +%s) - start )) -le 5 ] || fail "no upstream: took too long"
