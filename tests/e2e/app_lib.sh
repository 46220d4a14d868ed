# Helpers for the app-mode cases (t140-t142); sourced after lib.sh.

# app_secret_setup: fake365 with a client secret and a config that holds
# the same secret (0600): the start of an app-mode case.
app_secret_setup() {
	printf 'fake-app-secret~value.1\n' >"$T/fake-secret"
	start_fake --client-secret "$T/fake-secret" "$@"
	write_conf
	cp "$T/fake-secret" "$T/secret"
	chmod 600 "$T/secret"
	echo "client_secret_file = $T/secret" >>"$CONF"
}

# token_refused WHAT CREDS AADSTS CONFKEY: the request gets ewsgw's 500
# fault naming the AADSTS code and the config key to fix, it validates,
# and no EWS request reaches fake365.
token_refused() {
	n0=$(fake_stat ews)
	st=$(ews "$2" "$DATA/getfolder-inbox.xml")
	expect "$1" "$st" 500
	grep -q "AADSTS$3" "$T/resp.xml" || fail "$1: $(cat "$T/resp.xml")"
	grep -q "$4" "$T/resp.xml" || fail "$1: does not name $4"
	"$B/tests/ewsvalidate" "$T/resp.xml" || fail "$1: does not validate"
	expect "$1: no EWS request upstream" "$(fake_stat ews)" "$n0"
}

# app_reads_own NAME PASSWORD MAILBOX: curl's GetFolder and exchangelib
# (Basic to ewsgw, inbox and calendar) both work for app user NAME.
app_reads_own() {
	st=$(ews "$1:$2" "$DATA/getfolder-inbox.xml")
	expect "GetFolder as $1" "$st" 200
	grep -q 'ResponseClass="Success"' "$T/resp.xml" || fail "no success"
	$PY "$TOP/tests/e2e/legacy_client.py" "$GW/EWS/Exchange.asmx" "$1" \
	    "$2" "$3" >"$T/legacy.out" 2>&1 ||
	    { cat "$T/legacy.out"; fail "exchangelib as $1"; }
	note "exchangelib read $3's inbox and calendar as $1"
}
