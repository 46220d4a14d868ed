# App mode's impersonation policy against abuse. Every refusal must be a
# 403 SOAP fault ErrorImpersonateUserDenied that validates, and nothing
# may reach fake365 (its EWS count stays put); every allowed request
# must reach the mailbox the policy chose (fake365 logs "impersonated").
#   pbx    app, alice@contoso.example, --impersonate BOB@Contoso.Example
#   desk   app, carol@contoso.example, --impersonate '*@contoso.example'
#   alice  delegated (signed in): a client impersonation is refused
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/app_lib.sh"
app_secret_setup --device-interval 1
add_user pbx alice@contoso.example pbx-pw --mode app
ewsgw user set pbx --impersonate 'BOB@Contoso.Example' || fail "set pbx"
add_user desk carol@contoso.example desk-pw --mode app
ewsgw user set desk --impersonate '*@contoso.example' || fail "set desk"
add_user alice alice@contoso.example alice-pw
login alice alice@contoso.example
start_gw

NS_S=http://schemas.xmlsoap.org/soap/envelope/
NS_M=http://schemas.microsoft.com/exchange/services/2006/messages
NS_T=http://schemas.microsoft.com/exchange/services/2006/types
# env HEADER_XML [BODY_FOLDER_ID]: a GetFolder envelope (s:/m:/t:).
env() {
	printf '<?xml version="1.0" encoding="utf-8"?>\n'
	printf '<s:Envelope xmlns:s="%s" xmlns:m="%s" xmlns:t="%s">' \
	    "$NS_S" "$NS_M" "$NS_T"
	printf '<s:Header><t:RequestServerVersion Version="Exchange2016"/>'
	printf '%s</s:Header><s:Body><m:GetFolder><m:FolderShape>' "$1"
	printf '<t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>'
	printf '<m:FolderIds>%s</m:FolderIds></m:GetFolder>' \
	    "${2:-<t:DistinguishedFolderId Id=\"inbox\"/>}"
	printf '%s</s:Body></s:Envelope>\n' "${3:-}"
}
# imp FORM VALUE [PREFIX]: one ExchangeImpersonation header.
imp() {
	p=${3:-t}
	printf '<%s:ExchangeImpersonation><%s:ConnectingSID><%s:%s>%s' \
	    "$p" "$p" "$p" "$1" "$2"
	printf '</%s:%s></%s:ConnectingSID></%s:ExchangeImpersonation>' \
	    "$p" "$1" "$p" "$p"
}
mbx() {
	printf '<t:DistinguishedFolderId Id="inbox"><t:Mailbox>'
	printf '<t:EmailAddress>%s</t:EmailAddress></t:Mailbox>' "$1"
	printf '</t:DistinguishedFolderId>'
}

CASES="$T/cases.txt"
: >"$CASES"
# refuse NAME CREDS FILE: 403 fault, validates, nothing upstream.
refuse() {
	n0=$(fake_stat ews)
	t0=$(date +%s%N)
	st=$(ews "$2" "$3")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$st" = 403 ] || fail "$1: got $st, want 403: $(head -c 600 "$T/resp.xml")"
	grep -q 'ErrorImpersonateUserDenied' "$T/resp.xml" ||
	    fail "$1: $(cat "$T/resp.xml")"
	"$B/tests/ewsvalidate" "$T/resp.xml" >/dev/null ||
	    fail "$1: fault does not validate"
	[ "$(fake_stat ews)" = "$n0" ] || fail "$1: reached fake365"
	why=$(sed -n 's/.*<faultstring[^>]*>\([^<]*\)<.*/\1/p' "$T/resp.xml" |
	    head -c 160)
	printf 'refused  %s (%s ms): %s\n' "$1" "$ms" "$why" >>"$CASES"
	note "refused: $1"
}
# allow NAME CREDS FILE MAILBOX: 200, and fake365 served MAILBOX.
allow() {
	st=$(ews "$2" "$3")
	[ "$st" = 200 ] || fail "$1: got $st: $(head -c 600 "$T/resp.xml")"
	got=$(fake_log | tail -1 | $PY -c '
import json, sys
r = json.loads(sys.stdin.read())
print(r.get("impersonated", "-"), (r.get("headers") or {}).get("X-AnchorMailbox", "-"))')
	expect "$1" "$got" "$4 $4"
	printf 'allowed  %s: served %s\n' "$1" "$4" >>"$CASES"
}
w() { f="$T/$1.xml"; shift; "$@" >"$f"; echo "$f"; }

# Baseline: no impersonation -> the user's own mailbox.
allow "no impersonation: own mailbox" pbx:pbx-pw \
    "$(w own env '')" alice@contoso.example
# On the list, any SMTP form, any case.
allow "PrimarySmtpAddress on the list" pbx:pbx-pw \
    "$(w p1 env "$(imp PrimarySmtpAddress bob@contoso.example)")" \
    bob@contoso.example
allow "SmtpAddress, other case, on the list" pbx:pbx-pw \
    "$(w p2 env "$(imp SmtpAddress BOB@CONTOSO.EXAMPLE)")" \
    BOB@CONTOSO.EXAMPLE
allow "PrincipalName equal to an allowed address" pbx:pbx-pw \
    "$(w p3 env "$(imp PrincipalName bob@contoso.example)")" \
    bob@contoso.example
allow "own mailbox named by the client" pbx:pbx-pw \
    "$(w p4 env "$(imp SmtpAddress Alice@contoso.example)")" \
    Alice@contoso.example
# Off the list.
refuse "PrimarySmtpAddress off the list" pbx:pbx-pw \
    "$(w r1 env "$(imp PrimarySmtpAddress carol@contoso.example)")"
refuse "SmtpAddress off the list, other case" pbx:pbx-pw \
    "$(w r2 env "$(imp SmtpAddress Carol@Contoso.EXAMPLE)")"
refuse "PrincipalName off the list" pbx:pbx-pw \
    "$(w r3 env "$(imp PrincipalName carol@contoso.example)")"
refuse "SID form" pbx:pbx-pw \
    "$(w r4 env "$(imp SID S-1-5-21-3623811015-3361044348-30300820-1013)")"
refuse "PrincipalName that is not an address" pbx:pbx-pw \
    "$(w r5 env "$(imp PrincipalName 'CONTOSO\bob')")"
refuse "two headers, both allowed" pbx:pbx-pw \
    "$(w r6 env "$(imp SmtpAddress bob@contoso.example)$(imp SmtpAddress bob@contoso.example)")"
refuse "two headers, allowed then not" pbx:pbx-pw \
    "$(w r7 env "$(imp SmtpAddress bob@contoso.example)$(imp SmtpAddress carol@contoso.example)")"
refuse "impersonation in the Body" pbx:pbx-pw \
    "$(w r8 env '' '' "$(imp SmtpAddress carol@contoso.example)")"
refuse "impersonation nested in another header" pbx:pbx-pw \
    "$(w r9 env "<t:MailboxCulture>$(imp SmtpAddress carol@contoso.example)</t:MailboxCulture>")"
refuse "empty ConnectingSID value" pbx:pbx-pw \
    "$(w r10 env "$(imp SmtpAddress '  ')")"
refuse "ConnectingSID with two forms" pbx:pbx-pw \
    "$(w r11 env "<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>bob@contoso.example</t:SmtpAddress><t:SID>S-1-5-18</t:SID></t:ConnectingSID></t:ExchangeImpersonation>")"
# Text that only looks like impersonation does not count: ewsgw injects.
allow "impersonation inside a comment" pbx:pbx-pw \
    "$(w c1 env "<!-- $(imp SmtpAddress carol@contoso.example) -->")" \
    alice@contoso.example
allow "impersonation inside CDATA" pbx:pbx-pw \
    "$(w c2 env "<t:MailboxCulture><![CDATA[$(imp SmtpAddress carol@contoso.example)]]></t:MailboxCulture>")" \
    alice@contoso.example
allow "t: bound to a foreign namespace" pbx:pbx-pw \
    "$(w c3 env "<t:ExchangeImpersonation xmlns:t=\"urn:evil\"><t:ConnectingSID><t:SmtpAddress>carol@contoso.example</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>")" \
    alice@contoso.example
# Prefixes and default namespaces are read by URI.
cat >"$T/x1.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="$NS_S"><SOAP-ENV:Header><ns7:ExchangeImpersonation xmlns:ns7="$NS_T"><ns7:ConnectingSID><ns7:PrimarySmtpAddress>carol@contoso.example</ns7:PrimarySmtpAddress></ns7:ConnectingSID></ns7:ExchangeImpersonation></SOAP-ENV:Header><SOAP-ENV:Body><GetFolder xmlns="$NS_M"><FolderShape><BaseShape xmlns="$NS_T">IdOnly</BaseShape></FolderShape><FolderIds><DistinguishedFolderId xmlns="$NS_T" Id="inbox"/></FolderIds></GetFolder></SOAP-ENV:Body></SOAP-ENV:Envelope>
XML
refuse "unusual prefixes, target off the list" pbx:pbx-pw "$T/x1.xml"
sed 's/carol@/bob@/' "$T/x1.xml" >"$T/x2.xml"
allow "unusual prefixes, target on the list" pbx:pbx-pw "$T/x2.xml" \
    bob@contoso.example
cat >"$T/x3.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<Envelope xmlns="$NS_S"><Header><ExchangeImpersonation xmlns="$NS_T"><ConnectingSID><SmtpAddress>carol@contoso.example</SmtpAddress></ConnectingSID></ExchangeImpersonation></Header><Body><GetFolder xmlns="$NS_M"><FolderShape><BaseShape xmlns="$NS_T">IdOnly</BaseShape></FolderShape><FolderIds><DistinguishedFolderId xmlns="$NS_T" Id="inbox"/></FolderIds></GetFolder></Body></Envelope>
XML
refuse "default namespaces, target off the list" pbx:pbx-pw "$T/x3.xml"
# *@domain lists.
allow "*@contoso.example admits carol's desk to alice" desk:desk-pw \
    "$(w d1 env "$(imp SmtpAddress alice@contoso.example)")" \
    alice@contoso.example
refuse "*@contoso.example does not admit contoso.example.evil.com" \
    desk:desk-pw \
    "$(w d2 env "$(imp SmtpAddress alice@contoso.example.evil.com)")"
refuse "*@contoso.example does not admit a@b@contoso.example" \
    desk:desk-pw \
    "$(w d3 env "$(imp SmtpAddress 'a@evil.com@contoso.example')")"
refuse "*@contoso.example does not admit evilcontoso.example" \
    desk:desk-pw "$(w d4 env "$(imp SmtpAddress x@evilcontoso.example)")"
# Mailboxes named in the body.
refuse "DistinguishedFolderId of a mailbox off the list" pbx:pbx-pw \
    "$(w m1 env '' "$(mbx carol@contoso.example)")"
allow "DistinguishedFolderId of a mailbox on the list" pbx:pbx-pw \
    "$(w m2 env '' "$(mbx bob@contoso.example)")" alice@contoso.example
refuse "allowed impersonation, folder of a mailbox off the list" \
    pbx:pbx-pw "$(w m3 env "$(imp SmtpAddress bob@contoso.example)" \
    "$(mbx carol@contoso.example)")"
# Hostile XML.
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE s:Envelope [\n'
	printf '<!ENTITY lol0 "lol">\n'
	i=1
	while [ $i -le 9 ]; do
		e="&lol$((i - 1));"
		printf '<!ENTITY lol%d "%s%s%s%s%s%s%s%s%s%s">\n' $i \
		    "$e" "$e" "$e" "$e" "$e" "$e" "$e" "$e" "$e" "$e"
		i=$((i + 1))
	done
	printf ']>\n'
	env "$(imp SmtpAddress '&lol9;')" | sed 1d
} >"$T/bomb.xml"
refuse "billion laughs" pbx:pbx-pw "$T/bomb.xml"
grep -q lollol "$T/resp.xml" && fail "entities were expanded"
{
	printf '<?xml version="1.0"?>\n'
	printf '<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
	env "$(imp SmtpAddress '&xxe;')" | sed 1d
} >"$T/xxe.xml"
refuse "external entity file:///etc/passwd" pbx:pbx-pw "$T/xxe.xml"
grep -q 'root:' "$T/resp.xml" && fail "/etc/passwd leaked"
printf '<?xml version="1.0"?>\n<!DOCTYPE s:Envelope SYSTEM "http://127.0.0.1:%s/evil.dtd">\n' \
    "$FPORT" >"$T/dtd.xml"
env '' | sed 1d >>"$T/dtd.xml"
refuse "external DTD" pbx:pbx-pw "$T/dtd.xml"
fake_log | grep -q evil.dtd && fail "the DTD was fetched"
env "$(imp SmtpAddress bob@contoso.example)" | head -c 300 >"$T/cut.xml"
refuse "impersonation in a body that is cut off" pbx:pbx-pw "$T/cut.xml"
# Delegated: Exchange Online ignores impersonation with user tokens.
refuse "delegated user sends ExchangeImpersonation" alice:alice-pw \
    "$(w u1 env "$(imp SmtpAddress bob@contoso.example)")"
grep -q 'app mode' "$T/resp.xml" || fail "does not point to app mode"
st=$(ews alice:alice-pw "$(w u2 env '')")
expect "delegated without impersonation still works" "$st" 200

echo "abuse cases:"
cat "$CASES"
exit 0
