# 404 for other paths, 413 over max_body, refusal of absolute-form and
# CONNECT (never an open proxy), Via loops, non-SOAP bodies.
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1
write_conf "max_body = 64K"
add_user alice alice@contoso.example "$ALICE_PW"
login alice alice@contoso.example
start_gw
req="$DATA/getfolder-inbox.xml"
u="alice:$ALICE_PW"
code() { curl -s -o "$T/out" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' "$@"; }
expect "other path" "$(code -u "$u" --data-binary @"$req" "$GW/foo")" 404
expect "GET on EWS" "$(code -u "$u" "$GW/EWS/Exchange.asmx")" 405
expect "path case" "$(code -u "$u" --data-binary @"$req" "$GW/ews/exchange.ASMX")" 200
head -c 100000 /dev/zero | tr '\0' a >"$T/big"
expect "over max_body" "$(code -u "$u" --data-binary @"$T/big" "$GW/EWS/Exchange.asmx")" 413
expect "absolute-form" "$(code -u "$u" --request-target "http://example.com/EWS/Exchange.asmx" \
    --data-binary @"$req" "$GW/EWS/Exchange.asmx")" 400
st=$(printf 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' |
    timeout 5 $PY -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).split()[1].decode())' "$GPORT")
case "$st" in 4*|5*) note "CONNECT: $st" ;; *) fail "CONNECT answered $st" ;; esac
expect "Via loop" "$(code -u "$u" -H 'Via: 1.1 ewsgw' --data-binary @"$req" "$GW/EWS/Exchange.asmx")" 500
grep -q ErrorInvalidRequest "$T/out" || fail "loop fault"
expect "not SOAP" "$(code -u "$u" --data-binary 'hello' "$GW/EWS/Exchange.asmx")" 500
grep -q ErrorInvalidRequest "$T/out" || fail "not-SOAP fault"
"$B/tests/ewsvalidate" "$T/out" || fail "fault does not validate"
expect "upstream requests" "$(fake_stat ews)" 1
