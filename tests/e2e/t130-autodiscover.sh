# Autodiscover answered by ewsgw itself: POX and SOAP with curl (own and
# unmapped addresses, the allow-list, credentials, bad bodies, Host), then
# exchangelib's own POX and SOAP Autodiscover finding ewsgw's EWS URL and
# reading the inbox through it. Nothing reaches fake365's Autodiscover.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
AD="$DATA/autodiscover"
# svc: an app-mode user whose allow-list names bob and all of fabrikam.
add_user svc svc@contoso.example svc-local-pw --mode app
ewsgw user set svc --impersonate 'bob@contoso.example,*@fabrikam.example' \
    >/dev/null || fail "user set svc --impersonate"

# ad CREDS PATH FILE [curl options]: prints the status; body in $T/ad.xml.
ad() {
	creds=$1 path=$2 file=$3
	shift 3
	curl -s -o "$T/ad.xml" -w '%{http_code}' ${creds:+-u "$creds"} \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary "@$file" "$@" "$GW$path"
}
pox_for() { sed "s/@ADDR@/$1/" "$AD/pox.xml.in" >"$T/pox.xml"; }
# xpath EXPR: one value from $T/ad.xml (namespaces a, r, o: SOAP, POX
# response and POX outlook response).
xval() {
	$PY -c '
import sys, xml.etree.ElementTree as E
ns = {"a": "http://schemas.microsoft.com/exchange/2010/Autodiscover",
      "r": "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006",
      "o": "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a",
      "s": "http://schemas.xmlsoap.org/soap/envelope/"}
r = E.parse(sys.argv[1]).getroot()
print(" ".join((e.text or "").strip() for e in r.findall(sys.argv[2], ns)))' \
	    "$T/ad.xml" "$1"
}

note "POX"
pox_for alice@contoso.example
expect "POX own address" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$T/pox.xml")" 200
expect "POX EXPR EwsUrl" "$(xval './/o:Protocol[o:Type="EXPR"]/o:EwsUrl')" "$GW/EWS/Exchange.asmx"
expect "POX EXCH EwsUrl" "$(xval './/o:Protocol[o:Type="EXCH"]/o:EwsUrl')" "$GW/EWS/Exchange.asmx"
expect "POX ASUrl" "$(xval './/o:Protocol[o:Type="EXPR"]/o:ASUrl')" "$GW/EWS/Exchange.asmx"
expect "POX SSL over http" "$(xval './/o:Protocol[o:Type="EXPR"]/o:SSL')" Off
expect "POX no OWA" "$(xval './/o:Protocol[o:Type="WEB"]/o:Type')" ""
expect "POX address" "$(xval './/o:User/o:AutoDiscoverSMTPAddress')" alice@contoso.example
pox_for ALICE@Contoso.Example
expect "POX other case, mixed-case path" "$(ad "alice:$ALICE_PW" /Autodiscover/Autodiscover.xml "$T/pox.xml")" 200
expect "POX mapped spelling" "$(xval './/o:User/o:AutoDiscoverSMTPAddress')" alice@contoso.example
ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$T/pox.xml" \
    -H 'Host: mail.contoso.example:8443' >/dev/null
expect "POX URL from Host" "$(xval './/o:Protocol[o:Type="EXPR"]/o:EwsUrl')" \
    "http://mail.contoso.example:8443/EWS/Exchange.asmx"
expect "POX Server from Host" "$(xval './/o:Protocol[o:Type="EXPR"]/o:Server')" mail.contoso.example
ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$T/pox.xml" \
    -H 'Host: evil.example/x?<y>' >/dev/null
expect "POX odd Host ignored" "$(xval './/o:Protocol[o:Type="EXPR"]/o:EwsUrl')" "$GW/EWS/Exchange.asmx"

pox_for bob@contoso.example
expect "POX unmapped address" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$T/pox.xml")" 200
expect "POX error code" "$(xval './r:Response/r:Error/r:ErrorCode')" 500
expect "POX error text" "$(xval './r:Response/r:Error/r:Message')" "The e-mail address cannot be found."
expect "POX allow-listed address" "$(ad svc:svc-local-pw /autodiscover/autodiscover.xml "$T/pox.xml")" 200
expect "POX allow-listed URL" "$(xval './/o:Protocol[o:Type="EXPR"]/o:EwsUrl')" "$GW/EWS/Exchange.asmx"
pox_for carol@fabrikam.example
ad svc:svc-local-pw /autodiscover/autodiscover.xml "$T/pox.xml" >/dev/null
expect "POX *@domain" "$(xval './/o:User/o:AutoDiscoverSMTPAddress')" carol@fabrikam.example
pox_for carol@fabrikam.example.evil.com
ad svc:svc-local-pw /autodiscover/autodiscover.xml "$T/pox.xml" >/dev/null
expect "POX *@domain is not a suffix" "$(xval './r:Response/r:Error/r:ErrorCode')" 500

expect "POX no credentials" "$(ad "" /autodiscover/autodiscover.xml "$T/pox.xml" -D "$T/h")" 401
grep -qi '^WWW-Authenticate: Basic realm="ewsgw"' "$T/h" || fail "no Basic challenge"
expect "POX wrong password" "$(ad alice:nope /autodiscover/autodiscover.xml "$T/pox.xml")" 401
expect "POX other schema" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$AD/pox-schema.xml")" 200
expect "POX other schema code" "$(xval './r:Response/r:Error/r:ErrorCode')" 601
expect "POX other request namespace" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$AD/pox-mobilesync.xml")" 400
expect "POX bad request code" "$(xval './r:Response/r:Error/r:ErrorCode')" 600
expect "POX DOCTYPE refused" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.xml "$AD/pox-doctype.xml")" 400
grep -q root: "$T/ad.xml" && fail "an entity was expanded"
st=$(curl -s -o "$T/ad.xml" -w '%{http_code}' -u "alice:$ALICE_PW" "$GW/autodiscover/autodiscover.xml")
expect "POX GET" "$st" 200
expect "POX GET answer" "$(xval './r:Response/r:Error/r:ErrorCode')" 600
st=$(curl -s -o /dev/null -w '%{http_code}' -u "alice:$ALICE_PW" "$GW/autodiscover/autodiscover.svc")
expect "SOAP GET" "$st" 405

note "SOAP"
expect "SOAP two users" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.svc "$AD/soap-users.xml")" 200
expect "SOAP top ErrorCode" "$(xval './/a:GetUserSettingsResponseMessage/a:Response/a:ErrorCode')" NoError
expect "SOAP per user" "$(xval './/a:UserResponse/a:ErrorCode')" "NoError InvalidUser"
expect "SOAP ExternalEwsUrl" "$(xval './/a:UserSetting[a:Name="ExternalEwsUrl"]/a:Value')" "$GW/EWS/Exchange.asmx"
expect "SOAP InternalEwsUrl" "$(xval './/a:UserSetting[a:Name="InternalEwsUrl"]/a:Value')" "$GW/EWS/Exchange.asmx"
expect "SOAP unknown setting" "$(xval './/a:UserSettingError/a:SettingName')" MobileMailboxPolicy
expect "SOAP setting error" "$(xval './/a:UserSettingError/a:ErrorCode')" SettingIsNotAvailable
expect "SOAP allow-list" "$(ad svc:svc-local-pw /autodiscover/autodiscover.svc "$AD/soap-users.xml" >/dev/null; xval './/a:UserResponse/a:ErrorCode')" "InvalidUser NoError"
expect "SOAP GetDomainSettings" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.svc "$AD/soap-domain.xml")" 400
expect "SOAP InvalidRequest" "$(xval './/a:Response/a:ErrorCode')" InvalidRequest
expect "SOAP POX body" "$(ad "alice:$ALICE_PW" /autodiscover/autodiscover.svc "$T/pox.xml")" 400
expect "SOAP no credentials" "$(ad "" /autodiscover/autodiscover.svc "$AD/soap-users.xml")" 401

note "exchangelib's Autodiscover"
TMPDIR=$T $PY "$TOP/tests/e2e/ad_client.py" "$GW" alice "$ALICE_PW" \
    alice@contoso.example >"$T/ad.out" 2>&1 ||
    { cat "$T/ad.out"; fail "exchangelib's Autodiscover"; }
grep autodiscovered "$T/ad.out"
grep -c 'op=GetUserSettings status=200' "$T/gw.log" >/dev/null ||
    fail "no GetUserSettings in the access log"
fake_log | grep -qi autodiscover && fail "Autodiscover reached fake365"
grep -q 'op=FindItem status=200' "$T/gw.log" || fail "no FindItem through the discovered URL"
exit 0
