# Helpers for the fake365 cases (tests/e2e/t01*.sh), sourced after
# tests/e2e/lib.sh and start_fake: they drive fake365 with curl only.
FK_DATA="$DATA/fake365"
FK_EWS_SCOPE="https://outlook.office365.com/EWS.AccessAsUser.All offline_access openid profile"
FK_GRANT_DEVICE=urn:ietf:params:oauth:grant-type:device_code

# fk_post PATH [curl options]: POST to fake365; prints the HTTP status,
# the body goes to $T/body and the headers to $T/headers.
fk_post() {
	p=$1
	shift
	curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$FAKE$p"
}

# fk_token_post [curl options]: a POST to the tenant's token endpoint.
fk_token_post() { fk_post "/$TENANT/oauth2/v2.0/token" "$@"; }

# fk_json KEY [FILE]: a value of the JSON object in FILE ($T/body);
# nested keys dotted, lists and objects printed as JSON, absent as "".
fk_json() {
	$PY -c '
import json, sys
v = json.load(open(sys.argv[2]))
for k in sys.argv[1].split("."):
    v = v.get(k, "") if isinstance(v, dict) else ""
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1" "${2:-$T/body}"
}

# fk_header NAME: a header of the last fk_post or fk_ews answer.
fk_header() {
	tr -d '\r' <"${2:-$T/headers}" |
	    sed -n "s/^$1: //Ip" | head -1
}

# fk_devicecode [SCOPE]: starts a device flow; sets DC and UC.
fk_devicecode() {
	st=$(fk_post "/$TENANT/oauth2/v2.0/devicecode" -d "client_id=$CLIENT" \
	    --data-urlencode "scope=${1:-$FK_EWS_SCOPE}")
	[ "$st" = 200 ] || fail "devicecode: $st $(cat "$T/body")"
	DC=$(fk_json device_code)
	UC=$(fk_json user_code)
}

# fk_poll: one token request for the device code $DC; prints the status.
fk_poll() {
	fk_token_post -d "grant_type=$FK_GRANT_DEVICE" -d "client_id=$CLIENT" \
	    --data-urlencode "device_code=$DC"
}

# fk_token UPN [SCOPE]: a device flow UPN approves; sets AT, RT (empty
# without offline_access); the token response stays in $T/token.json.
fk_token() {
	fk_devicecode "${2:-}"
	approve_code "$UC" "$1"
	st=$(fk_poll)
	[ "$st" = 200 ] || fail "token for $1: $st $(cat "$T/body")"
	cp "$T/body" "$T/token.json"
	AT=$(fk_json access_token)
	RT=$(fk_json refresh_token)
}

# fk_refresh TOKEN [SCOPE]: a refresh_token grant; prints the status.
fk_refresh() {
	if [ -n "${2:-}" ]; then
		fk_token_post -d grant_type=refresh_token -d "client_id=$CLIENT" \
		    --data-urlencode "refresh_token=$1" \
		    --data-urlencode "scope=$2"
	else
		fk_token_post -d grant_type=refresh_token -d "client_id=$CLIENT" \
		    --data-urlencode "refresh_token=$1"
	fi
}

# fk_aad_error WHAT GOT STATUS ERROR AADSTS: the last answer (status GOT)
# is Entra's error body with every field (AADSTS 0: a code-less error
# such as slow_down).
fk_aad_error() {
	expect "$1: status" "$2" "$3"
	$PY - "$T/body" "$4" "$5" <<'PY' || fail "$1: error body"
import json, re, sys
b = json.load(open(sys.argv[1]))
err, code = sys.argv[2], int(sys.argv[3])
guid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
assert b["error"] == err, b
d = b["error_description"]
if code:
    assert d.startswith("AADSTS%d: " % code), d
    assert b["error_codes"] == [code], b
    assert b["error_uri"].endswith("code=%d" % code), b
else:
    assert b["error_codes"] == [], b
assert re.search(r"\r\nTrace ID: " + b["trace_id"] + r"\r\nCorrelation ID: "
    + b["correlation_id"] + r"\r\nTimestamp: " + re.escape(b["timestamp"])
    + "$", d), d
assert re.match(guid, b["trace_id"]) and re.match(guid, b["correlation_id"])
assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", b["timestamp"]), b
PY
	expect "$1: content type" "$(fk_header Content-Type)" \
	    "application/json; charset=utf-8"
	expect "$1: cache control" "$(fk_header Cache-Control)" \
	    "no-store, no-cache"
}

# fk_ews TOKEN FILE [curl options]: POSTs FILE to fake365's EWS with
# TOKEN as bearer and X-AnchorMailbox $FK_ANCHOR (none when empty);
# prints the status; body in $T/ews.xml, headers in $T/ews.hdr.
FK_ANCHOR=alice@contoso.example
fk_ews() {
	tok=$1 file=$2
	shift 2
	curl -s -o "$T/ews.xml" -D "$T/ews.hdr" -w '%{http_code}' \
	    -H "Authorization: Bearer $tok" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    -H "X-AnchorMailbox: $FK_ANCHOR" \
	    --data-binary "@$file" "$@" "$FAKE/EWS/Exchange.asmx"
}

# fk_valid WHAT [FILE]: the EWS answer passes the schemas.
fk_valid() {
	"$B/tests/ewsvalidate" --schemas "$DATA/schemas/ews" \
	    "${2:-$T/ews.xml}" || fail "$1: not valid EWS"
}

# fk_count PATTERN [FILE]: how many times PATTERN occurs in the answer.
fk_count() { grep -o -- "$1" "${2:-$T/ews.xml}" | wc -l | tr -d ' '; }

# fk_id USER KIND N [OCC]: the EWS id fake365 gives a thing (KIND F
# folder, M message, E event, O occurrence, C contact, A attachment).
fk_id() {
	printf '\000\003\044\000F365:%s:%s:%s:%s' "$1" "$2" "$3" "${4:-0}" |
	    base64 -w0
}

# fk_fill NAME OUT [KEY=VALUE...]: tests/data/fake365/NAME.xml.in with
# each @KEY@ replaced, written to OUT.
fk_fill() {
	in="$FK_DATA/$1.xml.in" out=$2
	shift 2
	cp "$in" "$out"
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		sed -i "s|@$k@|$v|g" "$out"
	done
}
