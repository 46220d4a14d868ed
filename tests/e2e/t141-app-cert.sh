# App mode with a certificate: ewsgw signs an RS256 client assertion
# (x5t, x5t#S256; aud = token URL; iss = sub = client id; jti; nbf/exp)
# that fake365 verifies against the certificate it was given. A key the
# app registration does not know is refused with AADSTS700027, named in
# the fault, and nothing reaches EWS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/app_lib.sh"
mkcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
	    -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1 ||
	    fail "openssl req $1"
	chmod 600 "$T/$1.key"
}
mkcert ewsgw-app
mkcert other
start_fake --client-cert "$T/ewsgw-app.pem"
write_conf
cat >>"$CONF" <<CONF
client_cert_file = $T/ewsgw-app.pem
client_key_file = $T/ewsgw-app.key
CONF
add_user pbx-carol carol@contoso.example carol-pw --mode app
start_gw

app_reads_own pbx-carol carol-pw carol@contoso.example
fake_log | $PY -c '
import json, sys
log = [json.loads(l) for l in sys.stdin]
tok = [r for r in log if r.get("grant_type") == "client_credentials"]
assert len(tok) == 1 and tok[0]["status"] == 200, tok
assert tok[0].get("client_auth") == "certificate", tok
ews = [r for r in log if r.get("target") == "ews" and "impersonated" in r]
assert ews and all(r["impersonated"] == "carol@contoso.example" for r in ews)
print("one assertion; EWS impersonated carol", len(ews), "times")
' || fail "fake365 log"

# The certificate the app registration holds is another one.
stop_gw
cat >"$T/ewsgw2.conf" <<CONF
$(sed -e "s#ewsgw-app.pem#other.pem#" -e "s#ewsgw-app.key#other.key#" "$CONF")
CONF
CONF="$T/ewsgw2.conf"
start_gw
token_refused "unknown certificate" pbx-carol:carol-pw 700027 \
    client_cert_file

# A key that does not belong to the certificate stops start-up.
stop_gw
sed -e "s#other.key#ewsgw-app.key#" "$T/ewsgw2.conf" >"$T/ewsgw3.conf"
"$B/ewsgw" -c "$T/ewsgw3.conf" serve >"$T/serve.out" 2>&1 &&
    fail "serve started with a mismatched key"
grep -q 'does not belong to' "$T/serve.out" || fail "$(cat "$T/serve.out")"
note "mismatched key refused at start-up"
exit 0
