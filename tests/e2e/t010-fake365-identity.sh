# fake365's identity platform behaves like Entra ID: the device flow
# (pending, slow_down, decline, expiry, one redemption), RS256 tokens
# that verify against the published keys, refresh-token rotation and
# revocation, ROPC, error bodies with every field, faults, and a log
# that holds no secret.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tools/fake365.sh"
start_fake --device-interval 1

# --- devicecode: refusals
st=$(fk_post "/$TENANT/oauth2/v2.0/devicecode" -d client_id=bad-client \
    --data-urlencode "scope=$FK_EWS_SCOPE")
fk_aad_error "unknown client" "$st" 400 unauthorized_client 700016
st=$(fk_post /nosuch.example/oauth2/v2.0/devicecode -d "client_id=$CLIENT" \
    --data-urlencode "scope=$FK_EWS_SCOPE")
fk_aad_error "unknown tenant" "$st" 400 invalid_request 90002
st=$(fk_post "/$TENANT/oauth2/v2.0/devicecode" -d "client_id=$CLIENT")
fk_aad_error "no scope" "$st" 400 invalid_request 900144
st=$(fk_post "/$TENANT/oauth2/v2.0/devicecode" -d "client_id=$CLIENT" \
    --data-urlencode "scope=https://graph.microsoft.com/Mail.Read $FK_EWS_SCOPE")
fk_aad_error "two resources" "$st" 400 invalid_scope 70011

# --- devicecode: the answer, by the domain name of the tenant too
st=$(fk_post /contoso.example/oauth2/v2.0/devicecode -d "client_id=$CLIENT" \
    --data-urlencode "scope=$FK_EWS_SCOPE")
expect "devicecode by domain" "$st" 200
UC=$(fk_json user_code)
DC=$(fk_json device_code)
echo "$UC" | grep -Eq '^[A-Z0-9]{9}$' || fail "user_code $UC"
expect "verification_uri" "$(fk_json verification_uri)" "$FAKE/devicelogin"
expect "expires_in" "$(fk_json expires_in)" 900
expect "interval" "$(fk_json interval)" 1
expect "message" "$(fk_json message)" "To sign in, use a web browser to \
open the page $FAKE/devicelogin and enter the code $UC to authenticate."
expect "no verification_uri_complete" \
    "$(fk_json verification_uri_complete)" ""

# --- polling
st=$(fk_poll)
fk_aad_error "pending" "$st" 400 authorization_pending 70016
st=$(fk_poll)
fk_aad_error "polled too fast" "$st" 400 slow_down 0
sleep 1.1
st=$(fk_poll)
fk_aad_error "pending again" "$st" 400 authorization_pending 70016
expect "sign-in page" "$(curl -s -o /dev/null -w '%{http_code}' \
    "$FAKE/devicelogin")" 200
st=$(curl -s -o /dev/null -w '%{http_code}' -d user_code=ZZZZZZZZZ \
    -d username=alice@contoso.example -d action=approve "$FAKE/devicelogin")
expect "approve an unknown code" "$st" 400
st=$(curl -s -o /dev/null -w '%{http_code}' -d "user_code=$UC" \
    -d username=mallory@contoso.example -d action=approve \
    "$FAKE/devicelogin")
expect "approve as an unknown user" "$st" 400
approve_code "$UC" alice@contoso.example
st=$(fk_poll)
expect "approved: tokens" "$st" 200
cp "$T/body" "$T/token.json"
expect "token_type" "$(fk_json token_type)" Bearer
expect "scope" "$(fk_json scope)" \
    "https://outlook.office365.com/EWS.AccessAsUser.All"
expect "expires_in" "$(fk_json expires_in)" 3600
expect "ext_expires_in" "$(fk_json ext_expires_in)" 3600
expect "content type" "$(fk_header Content-Type)" \
    "application/json; charset=utf-8"
expect "cache control" "$(fk_header Cache-Control)" "no-store, no-cache"
AT=$(fk_json access_token)
RT=$(fk_json refresh_token)
[ -n "$RT" ] || fail "no refresh token with offline_access"
sleep 1.1
st=$(fk_poll)
fk_aad_error "second redemption" "$st" 400 bad_verification_code 70018
DC=DAQABAAEAAAD--no-such-code
st=$(fk_poll)
fk_aad_error "unknown device code" "$st" 400 bad_verification_code 70018

# --- the tokens are RS256 JWTs that verify against the JWKS
expect "keys" "$(fk_post "/$TENANT/discovery/v2.0/keys" -X GET)" 200
cp "$T/body" "$T/jwks.json"
$PY - "$T/token.json" "$T/jwks.json" "$TENANT" "$CLIENT" <<'PY' ||
import base64, json, sys, time
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

tok = json.load(open(sys.argv[1]))
keys = {k["kid"]: k for k in json.load(open(sys.argv[2]))["keys"]}
tenant, client = sys.argv[3], sys.argv[4]

def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def verify(jwt):
    h, p, s = jwt.split(".")
    hdr, claims = json.loads(b64(h)), json.loads(b64(p))
    assert hdr["typ"] == "JWT" and hdr["alg"] == "RS256", hdr
    k = keys[hdr["kid"]]
    assert k["kty"] == "RSA" and k["use"] == "sig", k
    n = int.from_bytes(b64(k["n"]), "big")
    e = int.from_bytes(b64(k["e"]), "big")
    assert n.bit_length() == 2048, n.bit_length()
    rsa.RSAPublicNumbers(e, n).public_key().verify(
        b64(s), (h + "." + p).encode(), padding.PKCS1v15(), hashes.SHA256())
    return claims

at = verify(tok["access_token"])
assert at["aud"] == "https://outlook.office365.com", at
assert at["iss"] == "https://sts.windows.net/%s/" % tenant, at
assert at["tid"] == tenant and at["appid"] == client, at
assert at["upn"] == at["unique_name"] == "alice@contoso.example", at
assert at["scp"] == "EWS.AccessAsUser.All" and at["ver"] == "1.0", at
assert at["exp"] - at["iat"] == 3600 and at["nbf"] == at["iat"], at
assert abs(at["iat"] - time.time()) < 30 and at["oid"], at
idt = verify(tok["id_token"])
assert idt["aud"] == client and idt["ver"] == "2.0", idt
assert idt["preferred_username"] == "alice@contoso.example", idt
assert idt["iss"] == "https://login.microsoftonline.com/%s/v2.0" % tenant
assert idt["oid"] == at["oid"] and idt["tid"] == tenant, idt
print("access and id tokens verify, claims as Entra's")
PY
    fail "JWT checks"

# --- declined, expired, no offline_access
fk_devicecode
curl -fs -o /dev/null -d "user_code=$UC" -d username=bob@contoso.example \
    -d action=decline "$FAKE/devicelogin" || fail "decline"
st=$(fk_poll)
fk_aad_error "declined" "$st" 400 authorization_declined 65004
fake_post /_fake/config '{"device_expires_in":1}'
fk_devicecode
expect "short-lived code" "$(fk_json expires_in)" 1
sleep 1.2
st=$(fk_poll)
fk_aad_error "expired code" "$st" 400 expired_token 70019
fake_post /_fake/config '{"device_expires_in":900}'
fk_token bob@contoso.example \
    "https://outlook.office365.com/EWS.AccessAsUser.All"
expect "no offline_access: no refresh token" "$RT" ""
expect "no openid: no id token" "$(fk_json id_token "$T/token.json")" ""

# --- refresh: rotation, the old token still valid, then revocation
fk_token alice@contoso.example
RT1=$RT
st=$(fk_refresh "$RT1")
expect "refresh" "$st" 200
RT2=$(fk_json refresh_token)
[ -n "$RT2" ] && [ "$RT2" != "$RT1" ] || fail "refresh did not rotate"
[ "$(fk_json access_token)" != "$AT" ] || fail "same access token"
st=$(fk_refresh "$RT1")
expect "the old refresh token still works" "$st" 200
st=$(fk_refresh "$RT2" "https://graph.microsoft.com/Mail.Read offline_access")
expect "the same refresh token for Graph" "$st" 200
expect "Graph scope" "$(fk_json scope)" "https://graph.microsoft.com/Mail.Read"
fake_post /_fake/revoke '{"user":"alice@contoso.example"}'
st=$(fk_refresh "$RT2")
fk_aad_error "revoked" "$st" 400 invalid_grant 50173
st=$(fk_refresh "$RT1")
fk_aad_error "revoked, the older one" "$st" 400 invalid_grant 50173
st=$(fk_refresh "1.AXEA-no-such-token")
fk_aad_error "unknown refresh token" "$st" 400 invalid_grant 70000
fake_post /_fake/config '{"refresh_lifetime":1}'
fk_token carol@contoso.example
sleep 2.1
st=$(fk_refresh "$RT")
fk_aad_error "refresh token expired" "$st" 400 invalid_grant 700082
fake_post /_fake/config '{"refresh_lifetime":7776000}'

# --- the token endpoint's other refusals
st=$(fk_token_post -d grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer \
    -d "client_id=$CLIENT")
fk_aad_error "unsupported grant" "$st" 400 unsupported_grant_type 70003
st=$(fk_token_post -d grant_type=client_credentials -d "client_id=$CLIENT" \
    -d scope=https://outlook.office365.com/.default)
fk_aad_error "client credentials without a credential" "$st" 401 \
    invalid_client 7000218
st=$(fk_token_post -H 'Content-Type: application/json' \
    -d '{"grant_type":"refresh_token"}')
fk_aad_error "not a form" "$st" 400 invalid_request 900144
st=$(fk_token_post -d grant_type=refresh_token -d "client_id=$CLIENT" \
    -d client_secret=s3cret -d refresh_token=x)
fk_aad_error "secret from a public client" "$st" 401 invalid_client 700025
st=$(fk_token_post -d grant_type=refresh_token -d client_id=bad-client \
    -d refresh_token=x)
fk_aad_error "unknown client" "$st" 400 unauthorized_client 700016
st=$(fk_post "/$TENANT/oauth2/v2.0/token" -X GET)
fk_aad_error "GET on the token endpoint" "$st" 400 invalid_request 900561

# --- ROPC
ropc() {
	fk_token_post -d grant_type=password -d "client_id=$CLIENT" \
	    --data-urlencode "username=$1" --data-urlencode "password=$2" \
	    --data-urlencode "scope=$FK_EWS_SCOPE"
}
expect "ROPC" "$(ropc bob@contoso.example Bob-pw-1)" 200
[ -n "$(fk_json refresh_token)" ] || fail "ROPC: no refresh token"
st=$(ropc bob@contoso.example wrong-password)
fk_aad_error "ROPC, wrong password" "$st" 400 invalid_grant 50126
st=$(ropc nobody@contoso.example x)
fk_aad_error "ROPC, unknown user" "$st" 400 invalid_grant 50034

# --- faults armed on the token endpoint
fk_token alice@contoso.example
fake_post /_fake/fault '{"target":"token","kind":"invalid_grant","count":1}'
st=$(fk_refresh "$RT")
fk_aad_error "fault invalid_grant" "$st" 400 invalid_grant 70000
expect "fault spent" "$(fk_refresh "$RT")" 200
RT=$(fk_json refresh_token)
fake_post /_fake/fault '{"target":"token","kind":"http503","count":1}'
st=$(fk_refresh "$RT")
fk_aad_error "fault http503" "$st" 503 temporarily_unavailable 90033
fake_post /_fake/fault \
    '{"target":"token","kind":"down","count":1,"user":"bob@contoso.example"}'
expect "fault for bob only" "$(fk_refresh "$RT")" 200
RT=$(fk_json refresh_token)
curl -s -o /dev/null -X DELETE "$FAKE/_fake/fault"
fake_post /_fake/fault '{"target":"token","kind":"down","count":1}'
curl -s -o /dev/null -d grant_type=refresh_token -d "client_id=$CLIENT" \
    --data-urlencode "refresh_token=$RT" "$FAKE/$TENANT/oauth2/v2.0/token"
expect "fault down: no answer (curl exit)" "$?" 52
fake_post /_fake/fault '{"target":"token","kind":"delay","delay_ms":600,"count":1}'
t0=$(date +%s%N)
expect "fault delay" "$(fk_refresh "$RT")" 200
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 600 ] || fail "delay: answered after $ms ms"
note "delayed answer after $ms ms"
st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"target":"token","kind":"nonsense"}' "$FAKE/_fake/fault")
expect "unknown fault kind" "$st" 400

# --- counters, and no secret in the log
curl -fs "$FAKE/_fake/stats" >"$T/stats.json" || fail "stats"
$PY - "$T/stats.json" <<'PY' || fail "stats"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["token"]["device_code"] >= 10, s
assert s["token"]["refresh_token"] >= 10 and s["token"]["password"] == 3, s
assert s["token_ok"] > 0 and s["token_error"] > 0 and s["devicecode"] > 0, s
print("stats", json.dumps(s["token"]))
PY
curl -fs "$FAKE/_fake/log" >"$T/log.json" || fail "log"
curl -fs "$FAKE/_fake/issued" >"$T/issued.json" || fail "issued"
$PY - "$T/log.json" "$T/fake.jsonl" "$T/issued.json" <<'PY' || fail "log"
import json, sys
log = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
assert log == lines[-len(log):], "GET /_fake/log and --log FILE differ"
secrets = json.load(open(sys.argv[3])) + ["Bob-pw-1", "wrong-password", "s3cret"]
assert len(secrets) > 30, len(secrets)
text = open(sys.argv[1]).read() + open(sys.argv[2]).read()
for s in secrets:
    assert s not in text, "a secret is in the log: " + s[:12]
tok = [e for e in log if e.get("target") == "token"]
assert all(e.get("client_id") for e in tok if e.get("grant_type")), tok
assert any(e.get("grant_type") == "password" and e.get("aadsts") == 50126
    for e in tok), "the log does not say why ROPC failed"
print(len(log), "requests logged,", len(secrets), "secrets absent")
PY
exit 0
