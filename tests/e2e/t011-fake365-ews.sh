# fake365's EWS behaves like Exchange Online: bearer checks with EXO's
# 401 (never a Basic challenge), X-AnchorMailbox, safe SOAP parsing,
# RequestServerVersion, each operation answered with the seed mailbox,
# per-item errors in 200s, faults in 500s, armed failures, and every
# SOAP answer valid against the EWS schemas.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tools/fake365.sh"
start_fake --device-interval 1
fk_token alice@contoso.example
ALICE=$AT

# ews_ok WHAT FILE [curl options]: 200, valid EWS.
ews_ok() {
	w=$1 f=$2
	shift 2
	expect "$w" "$(fk_ews "$ALICE" "$f" "$@")" 200
	expect "$w: content type" "$(fk_header Content-Type "$T/ews.hdr")" \
	    "text/xml; charset=utf-8"
	fk_valid "$w"
}

# ews_fault WHAT CODE FILE [curl options]: a 500 SOAP fault with CODE.
ews_fault() {
	w=$1 c=$2 f=$3
	shift 3
	expect "$w" "$(fk_ews "$ALICE" "$f" "$@")" 500
	fk_valid "$w"
	expect "$w: code" "$(fk_count "<e:ResponseCode [^>]*>$c<")" 1
}

# classes: the ResponseClass of each response message, in order.
classes() {
	grep -o 'ResponseClass="[A-Za-z]*"' "$T/ews.xml" | cut -d'"' -f2 |
	    tr '\n' ' ' | sed 's/ $//'
}

# codes: the ResponseCode of each response message, in order.
codes() {
	grep -o '<m:ResponseCode>[A-Za-z]*<' "$T/ews.xml" | cut -d'>' -f2 |
	    tr -d '<' | tr '\n' ' ' | sed 's/ $//'
}

# --- GetFolder: distinguished ids, a folder id, errors per item
ews_ok "GetFolder" "$FK_DATA/getfolder.xml"
expect "GetFolder classes" "$(classes)" \
    "Success Success Success Success Success Error Error"
expect "GetFolder codes" "$(codes | cut -d' ' -f5-)" \
    "NoError ErrorFolderNotFound ErrorInvalidIdMalformed"
expect "ServerVersionInfo" "$(fk_count '<h:ServerVersionInfo [^>]*Version="V2018_01_08"')" 1
expect "calendar is a CalendarFolder" "$(fk_count '<t:CalendarFolder>')" 1
fk_fill getfolder-allprops "$T/req.xml" "FOLDER=$(fk_id 0 F 2)"
ews_ok "GetFolder by FolderId" "$T/req.xml"
expect "inbox unread" "$(fk_count '<t:UnreadCount>3<')" 1
expect "inbox total" "$(fk_count '<t:TotalCount>6<')" 1
expect "inbox class" "$(fk_count '<t:FolderClass>IPF.Note<')" 1

# --- FindFolder
fk_fill findfolder "$T/req.xml" TRAVERSAL=Shallow PARENT=msgfolderroot
ews_ok "FindFolder shallow" "$T/req.xml"
expect "folders under msgfolderroot" \
    "$(fk_count '<t:\(Folder\|CalendarFolder\|ContactsFolder\)>')" 6
fk_fill findfolder "$T/req.xml" TRAVERSAL=Deep PARENT=root
ews_ok "FindFolder deep" "$T/req.xml"
expect "folders under root" "$(fk_count 'TotalItemsInView="7"')" 1

# --- FindItem: the inbox, paged
fk_fill finditem-inbox "$T/req.xml" MAX=2 OFFSET=2
ews_ok "FindItem inbox" "$T/req.xml"
expect "page" "$(grep -o '<t:Subject>[^<]*' "$T/ews.xml" | cut -c12- |
    tr '\n' '|')" "Re: Project plan|Lunch on Friday?|"
expect "paging" "$(fk_count 'IndexedPagingOffset="4" TotalItemsInView="6" IncludesLastItemInRange="false"')" 1
fk_fill finditem-inbox "$T/req.xml" MAX=10 OFFSET=4
ews_ok "FindItem inbox, last page" "$T/req.xml"
expect "last page" "$(fk_count '<t:Message>'),$(fk_count 'IncludesLastItemInRange="true"')" 2,1
expect "no body in FindItem" "$(fk_count '<t:Body')" 0

# --- FindItem: a calendar view expands the daily series
monday=$($PY -c 'import datetime as d
n = d.datetime.now(d.timezone.utc)
m = (n - d.timedelta(days=n.weekday())).date()
print(m.isoformat())')
start="${monday}T00:00:00Z"
end=$(date -u -d "$monday + 14 days" +%Y-%m-%dT00:00:00Z)
fk_fill finditem-calendar "$T/req.xml" MAX=50 "START=$start" "END=$end"
ews_ok "CalendarView, two weeks" "$T/req.xml"
expect "instances" "$(fk_count '<t:CalendarItem>')" 9
expect "occurrences" "$(fk_count '<t:CalendarItemType>Occurrence<')" 5
expect "singles" "$(fk_count '<t:CalendarItemType>Single<')" 4
expect "no master in a view" "$(fk_count 'RecurringMaster')" 0
fk_fill finditem-calendar "$T/req.xml" MAX=3 "START=$start" "END=$end"
ews_ok "CalendarView, capped" "$T/req.xml"
expect "capped" "$(fk_count '<t:CalendarItem>'),$(fk_count 'TotalItemsInView="9" IncludesLastItemInRange="false"')" 3,1
wed=$(date -u -d "$monday + 2 days" +%Y-%m-%dT00:00:00Z)
thu=$(date -u -d "$monday + 3 days" +%Y-%m-%dT00:00:00Z)
fk_fill finditem-calendar "$T/req.xml" MAX=50 "START=$wed" "END=$thu"
ews_ok "CalendarView, one day" "$T/req.xml"
expect "Wednesday" "$(grep -o '<t:Subject>[^<]*' "$T/ews.xml" | cut -c12- |
    tr '\n' '|')" "Quarterly planning|Daily stand-up|"
ews_ok "FindItem contacts" "$FK_DATA/finditem-contacts.xml"
expect "contacts" "$(fk_count '<t:Contact>')" 2

# --- GetItem: items of each kind, per-item errors
fk_fill getitem "$T/req.xml" "MESSAGE=$(fk_id 0 M 1)" \
    "MASTER=$(fk_id 0 E 0)" "CONTACT=$(fk_id 0 C 0)" \
    "MISSING=$(fk_id 0 M 99)"
ews_ok "GetItem" "$T/req.xml"
expect "GetItem codes" "$(codes)" "NoError NoError NoError NoError \
ErrorItemNotFound ErrorInvalidIdMalformed"
expect "text body" "$(fk_count '<t:Body BodyType="Text">The draft is attached')" 1
expect "attachment listed" "$(fk_count '<t:Name>report.txt<')" 1
expect "master" "$(fk_count '<t:CalendarItemType>RecurringMaster<'),\
$(fk_count '<t:NumberOfOccurrences>5<')" "1,1"
expect "third occurrence" "$(fk_count "<t:ItemId Id=\"$(fk_id 0 O 0 3)\"")" 1
fk_fill getitem "$T/req.xml" "MESSAGE=$(fk_id 1 M 1)" \
    "MASTER=$(fk_id 0 E 0)" "CONTACT=$(fk_id 0 C 0)" \
    "MISSING=$(fk_id 0 M 99)"
ews_ok "GetItem of bob's item" "$T/req.xml"
expect "not alice's" "$(classes | cut -d' ' -f1)" Error
expect "access denied" "$(fk_count '<m:ResponseCode>ErrorAccessDenied<')" 1

# --- ResolveNames: one, several, none, a contact
resolve() {
	fk_fill resolvenames "$T/req.xml" "ENTRY=$1"
	ews_ok "ResolveNames $1" "$T/req.xml" >&2
	echo "$(classes) $(fk_count '<t:Resolution>')"
}
expect "resolve bob" "$(resolve bob)" "Success 1"
expect "bob's address" "$(fk_count '<t:EmailAddress>bob@contoso.example<')" 1
expect "resolve Example" "$(resolve Example)" "Warning 3"
expect "several" "$(fk_count 'ErrorNameResolutionMultipleResults')" 1
expect "resolve zzz" "$(resolve zzz)" "Error 0"
expect "none" "$(fk_count 'ErrorNameResolutionNoResults')" 1
expect "resolve a contact" "$(resolve dave)" "Success 1"
expect "contact" "$(fk_count '<t:MailboxType>Contact<')" 1

# --- GetAttachment, ConvertId
fk_fill getattachment "$T/req.xml" "ATTACHMENT=$(fk_id 0 A 1)"
ews_ok "GetAttachment" "$T/req.xml"
content=$(sed -n 's/.*<t:Content>\([^<]*\)<.*/\1/p' "$T/ews.xml" | base64 -d)
expect "attachment content" "$(echo "$content" | head -1)" "Q3 revenue: 1,234,567"
fk_fill getattachment "$T/req.xml" ATTACHMENT=xyz
ews_ok "GetAttachment, bad id" "$T/req.xml"
expect "bad attachment id" "$(classes)" Error
fk_fill convertid "$T/req.xml" "MESSAGE=$(fk_id 0 M 1)"
ews_ok "ConvertId" "$T/req.xml"
expect "ConvertId classes" "$(classes)" "Success Error"
expect "hex entry id" "$(fk_count 'Format="HexEntryId" Id="[0-9A-F]*"')" 1

# --- request-level faults
ews_fault "unknown operation" ErrorInvalidRequest "$FK_DATA/unknown-op.xml"
ews_fault "Exchange2019 is not EXO's" ErrorInvalidServerVersion \
    "$FK_DATA/bad-version.xml"
ews_fault "a DTD" ErrorSchemaValidation "$FK_DATA/doctype.xml"
printf 'hello' >"$T/junk.xml"
ews_fault "not XML" ErrorSchemaValidation "$T/junk.xml"
FK_ANCHOR=nobody@contoso.example
ews_fault "unknown anchor mailbox" ErrorNonExistentMailbox \
    "$FK_DATA/getfolder.xml"
FK_ANCHOR=
ews_ok "no anchor mailbox" "$FK_DATA/getfolder.xml"
FK_ANCHOR=alice@contoso.example
expect "SOAP 1.2 content type" "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/soap+xml' \
    --data-binary "@$FK_DATA/getfolder.xml" "$FAKE/EWS/Exchange.asmx")" 415

# --- authentication: EXO's 401, never a Basic challenge
unauth() {
	w=$1
	shift
	st=$(curl -s -o "$T/ews.xml" -D "$T/ews.hdr" -w '%{http_code}' \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary "@$FK_DATA/getfolder.xml" "$@" \
	    "$FAKE/EWS/Exchange.asmx")
	expect "$w" "$st" 401 >&2
	expect "$w: empty body" "$(wc -c <"$T/ews.xml" | tr -d ' ')" 0 >&2
	fk_header WWW-Authenticate "$T/ews.hdr" | grep -q '^Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@\*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.windows.net/common/oauth2/authorize", error="invalid_token"$' ||
	    fail "$w: challenge $(fk_header WWW-Authenticate "$T/ews.hdr")"
	grep -qi '^WWW-Authenticate:.*basic' "$T/ews.hdr" &&
	    fail "$w: Basic offered"
	fk_header x-ms-diagnostics "$T/ews.hdr" | cut -d';' -f1
}
expect "no token" "$(unauth "no token")" 2000001
expect "Basic" "$(unauth Basic -u alice@contoso.example:Alice-pw-1)" 2000001
sig=${ALICE##*.}
case "$sig" in A*) c=B ;; *) c=A ;; esac
bad="${ALICE%.*}.$c${sig#?}"
expect "bad signature" "$(unauth "bad signature" -H "Authorization: Bearer $bad")" 2000001
expect "not a JWT" "$(unauth "not a JWT" -H 'Authorization: Bearer abc')" 2000001
fk_token alice@contoso.example "https://graph.microsoft.com/Mail.Read offline_access"
expect "Graph token" "$(unauth "Graph token" -H "Authorization: Bearer $AT")" 2000003
fk_header x-ms-diagnostics "$T/ews.hdr" | grep -q 'error_category="invalid_resource"' ||
    fail "wrong audience: category"
fake_post /_fake/config '{"token_lifetime":2}'
fk_token bob@contoso.example
BOB=$AT
fake_post /_fake/config '{"token_lifetime":3600}'
FK_ANCHOR=bob@contoso.example
expect "bob, fresh token" "$(fk_ews "$BOB" "$FK_DATA/getfolder.xml")" 200
fk_fill getfolder-mailbox "$T/req.xml" MAILBOX=alice@contoso.example
expect "bob opens alice's inbox" "$(fk_ews "$BOB" "$T/req.xml")" 200
fk_valid "bob opens alice's inbox"
expect "delegate access" "$(classes),$(fk_count '>ErrorAccessDenied<')" "Error,1"
fk_fill getfolder-mailbox "$T/req.xml" MAILBOX=nobody@contoso.example
expect "an unknown mailbox" "$(fk_ews "$BOB" "$T/req.xml")" 200
expect "no such mailbox" "$(fk_count '>ErrorNonExistentMailbox<')" 1
FK_ANCHOR=alice@contoso.example
sleep 2.2
expect "expired token" "$(unauth expired -H "Authorization: Bearer $BOB")" 2000001
fk_header x-ms-diagnostics "$T/ews.hdr" | grep -q 'expired' ||
    fail "expired: reason"

# --- armed faults
fake_post /_fake/fault '{"target":"ews","kind":"busy","count":1,"backoff_ms":2500}'
ews_fault "busy" ErrorServerBusy "$FK_DATA/getfolder.xml"
expect "backoff" "$(fk_count '<t:Value Name="BackOffMilliseconds">2500<')" 1
ews_ok "busy spent" "$FK_DATA/getfolder.xml"
fake_post /_fake/fault '{"target":"ews","kind":"http503","count":1}'
expect "http503" "$(fk_ews "$ALICE" "$FK_DATA/getfolder.xml")" 503
fake_post /_fake/fault '{"target":"ews","kind":"http401","count":1}'
expect "http401" "$(fk_ews "$ALICE" "$FK_DATA/getfolder.xml")" 401
fk_header WWW-Authenticate "$T/ews.hdr" | grep -q '^Bearer ' ||
    fail "http401: no Bearer challenge"
fake_post /_fake/fault '{"target":"ews","kind":"down","count":1}'
fk_ews "$ALICE" "$FK_DATA/getfolder.xml" >/dev/null
expect "down: no answer (curl exit)" "$?" 52
fake_post /_fake/config '{"ews_delay_ms":500}'
t0=$(date +%s%N)
ews_ok "delayed" "$FK_DATA/getfolder.xml"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 500 ] || fail "ews_delay_ms: answered after $ms ms"
fake_post /_fake/config '{"ews_delay_ms":0}'

# --- the log: operations, users, headers, no secret
curl -fs "$FAKE/_fake/log" >"$T/log.json" || fail "log"
curl -fs "$FAKE/_fake/issued" >"$T/issued.json" || fail "issued"
curl -fs "$FAKE/_fake/stats" >"$T/stats.json" || fail "stats"
$PY - "$T/log.json" "$T/issued.json" "$T/stats.json" "$T/fake.jsonl" <<'PY' ||
import json, sys
log = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[3]))
ews = [e for e in log if e.get("target") == "ews"]
ops = {e.get("operation") for e in ews}
for op in ("GetFolder", "FindFolder", "FindItem", "GetItem", "ResolveNames",
        "GetAttachment", "ConvertId", "GetUserOofSettingsRequest"):
    assert op in ops, op
basic = [e for e in ews if e["auth_scheme"] == "Basic"]
assert basic and basic[0]["basic_user"] == "alice@contoso.example", basic
assert any(e.get("aud") == "https://graph.microsoft.com" and
    e["status"] == 401 for e in ews), "wrong audience not logged"
assert all(e.get("token_error") for e in ews if e["status"] == 401), ews
ok = [e for e in ews if e["status"] == 200]
assert all(e["upn"] in ("alice@contoso.example", "bob@contoso.example")
    for e in ok), ok
assert any("X-AnchorMailbox" not in e["headers"] for e in ok)
assert all("Authorization" in e["header_names"] for e in ok)
assert stats["ews"] == len(ews) and stats["ews_401"] >= 7, stats
assert stats["ews_by_op"]["GetFolder"] >= 8, stats
text = open(sys.argv[1]).read() + open(sys.argv[4]).read()
for s in json.load(open(sys.argv[2])) + ["Alice-pw-1"]:
    assert s not in text, "a secret is in the log: " + s[:12]
print(len(ews), "EWS requests logged; ops:", " ".join(sorted(o for o in ops if o)))
PY
    fail "log"
exit 0
