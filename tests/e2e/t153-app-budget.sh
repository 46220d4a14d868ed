# App mode: each impersonated mailbox has a budget of its own (a service
# account impersonating a mailbox gets a copy of that mailbox's
# EWSMaxConcurrency), so the limit counts the mailbox a request reaches,
# not the app user's own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/app_lib.sh"
app_secret_setup --device-interval 1
printf '[gateway]\nmax_concurrent_per_mailbox = 2\nqueue_timeout = 1s\n' \
    >>"$CONF"
add_user desk carol@contoso.example desk-pw --mode app
ewsgw user set desk --impersonate '*@contoso.example' || fail "set desk"
start_gw
fake_post /_fake/config '{"ews_delay_ms":2500}'

# as MAILBOX: a GetFolder of the inbox impersonating MAILBOX.
as() {
	sed "s|</soap:Header>|<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>$1</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>|" \
	    "$DATA/getfolder-inbox.xml" >"$T/as-$1.xml"
	echo "$T/as-$1.xml"
}
# run FILE...: all at once; prints the sorted statuses.
run() {
	i=0
	rpids=""
	for f in "$@"; do
		curl -s -m 30 -o "$T/r$i.xml" -w '%{http_code}\n' -u desk:desk-pw \
		    -H 'Content-Type: text/xml; charset=utf-8' \
		    --data-binary "@$f" "$GW/EWS/Exchange.asmx" >"$T/r$i.code" &
		rpids="$rpids $!"
		i=$((i + 1))
	done
	for p in $rpids; do wait $p; done
	cat "$T"/r*.code | sort | tr '\n' ' '
	rm -f "$T"/r*.code
}

bob=$(as bob@contoso.example)
alice=$(as alice@contoso.example)
own="$DATA/getfolder-inbox.xml"	# carol's own, set by the gateway
expect "2 as bob, 2 as alice, 2 as carol" \
    "$(run "$bob" "$bob" "$alice" "$alice" "$own" "$own")" \
    "200 200 200 200 200 200 "
expect "3 as bob" "$(run "$bob" "$bob" "$bob")" "200 200 500 "
grep -l ErrorServerBusy "$T"/r*.xml | xargs grep -l 'bob@contoso.example' \
    >/dev/null || fail "the refusal does not name bob's mailbox"
fake_log | $PY -c '
import json, sys
n = sum(1 for l in sys.stdin
        if json.loads(l).get("impersonated") == "bob@contoso.example")
assert n == 4, n
' || fail "bob's requests upstream"
