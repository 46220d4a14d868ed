# HTTPS on `listen`: a certificate from a test CA verified by curl
# (127.0.0.1 and localhost), TLS 1.2 and 1.3 only, refusals at start-up
# for missing and mismatched files, SIGHUP reloading a new certificate for
# new connections and keeping the old one when the new files are broken,
# and exchangelib (Autodiscover + inbox) over https trusting the CA.
. "$(dirname "$0")/lib.sh"
start_fake --device-interval 1
K="$T/tls"
mkdir -p "$K"

# CA, then server certificates (SAN 127.0.0.1 and localhost) with chosen
# serials, the way docs/tls.md does it, signed by that CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=ewsgw test CA' \
    -keyout "$K/ca.key" -out "$K/ca.pem" 2>/dev/null || fail "CA"
server_cert() {	# NAME SERIAL
	openssl req -new -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' \
	    -keyout "$K/$1.key" -out "$K/$1.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$K/san.ext" &&
	openssl x509 -req -in "$K/$1.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" \
	    -set_serial "$2" -days 2 -extfile "$K/san.ext" \
	    -out "$K/$1.crt" 2>/dev/null || fail "certificate $1"
	chmod 600 "$K/$1.key"
}
server_cert one 0x1001
server_cert two 0x1002
server_cert three 0x1003
cp "$K/one.crt" "$K/gw.crt"
cp "$K/one.key" "$K/gw.key"
chmod 600 "$K/gw.key"

# serial: the serial of the certificate a new connection is shown.
serial() {
	openssl s_client -connect "127.0.0.1:$GPORT" -servername localhost \
	    </dev/null 2>/dev/null | openssl x509 -noout -serial | cut -d= -f2
}

note "refusals at start-up"
write_conf "tls_cert = $K/missing.crt
tls_key = $K/gw.key"
out=$("$B/ewsgw" -c "$CONF" serve 2>&1) && fail "serve started without tls_cert"
expect "missing tls_cert: one reason" "$(echo "$out" | grep -c "^ewsgw: ")" 1
echo "$out" | grep -q "missing.crt: No such file" || fail "reason: $out"
sed -i "s#^tls_cert = .*#tls_cert = $K/gw.crt#; s#^tls_key = .*#tls_key = $K/two.key#" "$CONF"
out=$("$B/ewsgw" -c "$CONF" serve 2>&1) && fail "serve started with another key"
echo "$out" | grep -q "does not match" || fail "mismatch reason: $out"
note "mismatched key: $out"
printf 'not a certificate\n' >"$K/junk.crt"
sed -i "s#^tls_cert = .*#tls_cert = $K/junk.crt#; s#^tls_key = .*#tls_key = $K/gw.key#" "$CONF"
out=$("$B/ewsgw" -c "$CONF" serve 2>&1) && fail "serve started with a junk certificate"
note "junk certificate: $out"

note "serving HTTPS"
sed -i "s#^tls_cert = .*#tls_cert = $K/gw.crt#" "$CONF"
add_user alice alice@contoso.example "$ALICE_PW"
login alice alice@contoso.example
start_gw
GW="https://127.0.0.1:$GPORT"
grep -q "listening on 127.0.0.1:$GPORT (HTTPS)" "$T/gw.log" || fail "no HTTPS log line"
expect "verified by the CA" "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml" --cacert "$K/ca.pem")" 200
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K/ca.pem" -u "alice:$ALICE_PW" \
    -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$DATA/getfolder-inbox.xml" \
    "https://localhost:$GPORT/EWS/Exchange.asmx")
expect "as localhost" "$st" 200
ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml" >/dev/null &&
    fail "an unknown CA was accepted"
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GPORT/EWS/Exchange.asmx")
[ "$st" = 200 ] && fail "plain http answered on the HTTPS port"
for v in 1.2 1.3; do
	expect "TLS $v" "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml" \
	    --cacert "$K/ca.pem" --tlsv$v --tls-max $v)" 200
done
# The client is allowed TLS 1.0/1.1 (SECLEVEL=0), so only the server can
# be the one refusing.
openssl s_client -connect "127.0.0.1:$GPORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
    </dev/null >"$T/tls11.out" 2>&1 && fail "TLS 1.1 handshake succeeded"
grep -qi "protocol version\|no protocols available\|unsupported protocol" "$T/tls11.out" ||
    { cat "$T/tls11.out"; fail "TLS 1.1: not refused for its version"; }
curl -s -o /dev/null --cacert "$K/ca.pem" --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' \
    "$GW/EWS/Exchange.asmx" && fail "curl --tls-max 1.1 got an answer"
note "TLS 1.1 refused"
expect "first serial" "$(serial)" 1001

note "SIGHUP reload"
cp "$K/two.crt" "$K/gw.crt"
cp "$K/two.key" "$K/gw.key"
kill -HUP "$GW_PID"
sleep 0.3
grep -q "TLS certificate reloaded: .*serial 1002" "$T/gw.log" || fail "no reload line"
expect "new connections, new serial" "$(serial)" 1002
expect "after reload" "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml" --cacert "$K/ca.pem")" 200

printf 'garbage\n' >"$K/gw.crt"
kill -HUP "$GW_PID"
sleep 0.3
grep -q "kept the old TLS certificate: tls_cert" "$T/gw.log" || fail "no refusal line for junk"
expect "broken cert keeps the old one" "$(serial)" 1002
cp "$K/three.crt" "$K/gw.crt"	# key still two's
kill -HUP "$GW_PID"
sleep 0.3
grep -q "kept the old TLS certificate: tls_key .* does not match" "$T/gw.log" ||
    fail "no refusal line for the mismatch"
expect "mismatched pair keeps the old one" "$(serial)" 1002
rm -f "$K/gw.crt"
kill -HUP "$GW_PID"
sleep 0.3
grep -q "kept the old TLS certificate: tls_cert .*No such file" "$T/gw.log" ||
    fail "no refusal line for a missing file"
expect "still serving" "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml" --cacert "$K/ca.pem")" 200
kill -0 "$GW_PID" || fail "the gateway died"

note "a 64 MiB answer to a slow https client"
bytes=$((64 * 1024 * 1024))
sed "s/@BYTES@/$bytes/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
base=$(rss_kb "$GW_PID")
ews "alice:$ALICE_PW" "$T/big.xml" --cacert "$K/ca.pem" --limit-rate 32M \
    >"$T/status" &
peak_rss "$GW_PID" $!
peak=$PEAK
expect "big answer" "$(cat "$T/status")" 200
[ "$(stat -c %s "$T/resp.xml")" -gt "$bytes" ] || fail "big answer cut short"
tail -c 200 "$T/resp.xml" | grep -q 'Envelope>' || fail "big answer not complete"
note "ewsgw RSS: start ${base} KiB, peak ${peak} KiB"
case $B in
*asan*)	;;	# ASan's quarantine keeps freed memory: no bound to check
*)	[ $((peak - base)) -lt 32768 ] ||
	    fail "ewsgw grew by $((peak - base)) KiB over TLS" ;;
esac
# Answers of every size end with their last chunk, at full speed too.
for kb in 100 200 600 4096; do
	sed "s/@BYTES@/$((kb * 1024))/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
	st=$(curl -sS -o "$T/resp.xml" -w '%{http_code}' --max-time 4 \
	    --cacert "$K/ca.pem" -u "alice:$ALICE_PW" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary "@$T/big.xml" "$GW/EWS/Exchange.asmx") ||
	    fail "$kb KiB answer: curl exit $?"
	expect "$kb KiB answer, complete" "$st" 200
done

note "exchangelib over https"
TMPDIR=$T REQUESTS_CA_BUNDLE="$K/ca.pem" $PY "$TOP/tests/e2e/ad_client.py" "$GW" alice "$ALICE_PW" \
    alice@contoso.example >"$T/ad.out" 2>&1 ||
    { cat "$T/ad.out"; fail "exchangelib's Autodiscover"; }
grep autodiscovered "$T/ad.out"
REQUESTS_CA_BUNDLE="$K/ca.pem" $PY "$TOP/tests/e2e/legacy_client.py" \
    "$GW/EWS/Exchange.asmx" alice "$ALICE_PW" alice@contoso.example \
    >"$T/legacy.out" 2>&1 || { cat "$T/legacy.out"; fail "exchangelib over https"; }
note "exchangelib inbox + calendar over https"
exit 0
