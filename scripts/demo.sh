#!/bin/sh
# make demo: the whole job on loopback, no account and no internet.
# fake365 plays Microsoft 365; ewsgw sits in front; curl plays the legacy
# client that only knows Basic auth.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B="$TOP/build"
T=$(mktemp -d "${TMPDIR:-/tmp}/ewsgw-demo.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

. "$TOP/scripts/loopback.sh"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_up() { wait_http "$1" || { echo "demo: $1 did not come up"; exit 1; }; }

FP=$(free_port); GP=$(free_port); AP=$(free_port)
FAKE=http://127.0.0.1:$FP
say "1. Start fake365, a stand-in for Microsoft 365 (identity platform + EWS) on $FAKE"
"$B/fake365" --listen 127.0.0.1:$FP --device-interval 1 --log "$T/fake.jsonl" >"$T/fake.out" 2>&1 &
PIDS="$PIDS $!"
wait_up "$FAKE/_fake/health"

say "2. Write ewsgw's config: the three values of the Azure app registration, plus Exchange's URL"
mkdir -p "$T/state"
cat >"$T/ewsgw.conf" <<CONF
[gateway]
listen       = 127.0.0.1:$GP
admin_listen = 127.0.0.1:$AP
state_dir    = $T/state

[office365]
tenant_id    = 11111111-2222-3333-4444-555555555555
client_id    = aaaaaaaa-0000-4000-8000-000000000001
authority    = $FAKE
ews_url      = $FAKE/EWS/Exchange.asmx
CONF
sed 's/^/    /' "$T/ewsgw.conf"
gw() { "$B/ewsgw" -c "$T/ewsgw.conf" "$@"; }

say "3. Map the legacy user 'alice' to her mailbox, with a local password for the legacy client"
echo "    \$ echo demo-pw | ewsgw user add alice --mailbox alice@contoso.example --password-stdin"
echo demo-pw | gw user add alice --mailbox alice@contoso.example --password-stdin | sed 's/^/    /'

say "4. Sign alice in once with the device-code flow (the admin opens the URL and types the code)"
device_signin "$T/login.out" "$FAKE" alice@contoso.example \
    "$B/ewsgw" -c "$T/ewsgw.conf" login alice || { cat "$T/login.out"; exit 1; }
head -n 1 "$T/login.out" | sed 's/^/    /'
echo "    (the demo approves that code at fake365's sign-in page as alice@contoso.example)"
tail -n 1 "$T/login.out" | sed 's/^/    /'
gw user list | sed 's/^/    /'

say "5. Start the gateway"
gw serve >"$T/gw.log" 2>&1 &
PIDS="$PIDS $!"
wait_up "http://127.0.0.1:$AP/healthz"
echo "    legacy clients now point at http://127.0.0.1:$GP/EWS/Exchange.asmx"

say "6. A legacy client sends GetFolder(inbox) with Basic auth"
echo "    \$ curl -u alice:demo-pw --data-binary @getfolder-inbox.xml http://127.0.0.1:$GP/EWS/Exchange.asmx"
curl -s -u alice:demo-pw -H 'Content-Type: text/xml; charset=utf-8' \
    --data-binary @"$TOP/tests/data/getfolder-inbox.xml" \
    "http://127.0.0.1:$GP/EWS/Exchange.asmx" >"$T/folder.xml"
/usr/bin/python3 - "$T/folder.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
t = "{http://schemas.microsoft.com/exchange/services/2006/types}"
root = ET.parse(sys.argv[1]).getroot()
f = root.find(".//" + t + "Folder")
print("    answer: folder %s, %s items, %s unread" % (f.findtext(t + "DisplayName"),
      f.findtext(t + "TotalCount"), f.findtext(t + "UnreadCount")))
PY

say "7. ... and a calendar view (FindItem with CalendarView) for the coming weeks"
s=$(date -u -d '7 days ago' +%Y-%m-%dT00:00:00Z); e=$(date -u -d '14 days' +%Y-%m-%dT00:00:00Z)
sed -e "s/@START@/$s/" -e "s/@END@/$e/" "$TOP/tests/data/finditem-calendar.xml.in" >"$T/cal.xml"
curl -s -u alice:demo-pw -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$T/cal.xml" \
    "http://127.0.0.1:$GP/EWS/Exchange.asmx" >"$T/cal.out"
/usr/bin/python3 - "$T/cal.out" <<'PY'
import sys, xml.etree.ElementTree as ET
t = "{http://schemas.microsoft.com/exchange/services/2006/types}"
for it in ET.parse(sys.argv[1]).getroot().iter(t + "CalendarItem"):
    print("    %s  %s" % (it.findtext(t + "Start"), it.findtext(t + "Subject")))
PY

say "8. What Microsoft 365 received (fake365's request log)"
/usr/bin/python3 - "$T/fake.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "/ews/" not in r.get("path", "").lower():
        continue
    h = r.get("headers") or {}
    print("    %s %s  Authorization: %s (token for %s)  X-AnchorMailbox: %s  Via: %s" % (
        r.get("method"), r.get("operation"), r.get("auth_scheme"), r.get("upn"),
        h.get("X-AnchorMailbox"), h.get("Via")))
PY
echo "    No Basic header and no password ever left the gateway."

say "9. The gateway's access log"
grep ' access ' "$T/gw.log" | sed 's/^/    /'

say "Summary"
cat <<TXT
    The legacy client spoke Basic auth to ewsgw on localhost. ewsgw checked
    alice's local password, dropped the Basic header, attached alice's own
    OAuth token (EWS.AccessAsUser.All, from her one-time device-code sign-in),
    and streamed Exchange's answers back unchanged. Tokens are refreshed on
    their own; the refresh token is stored sealed in $T/state.
    Everything the demo started is now stopped.
TXT
