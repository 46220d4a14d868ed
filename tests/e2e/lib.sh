# Shared helpers for the end-to-end cases: each case is a small sh script
# that sources this file, starts what it needs on 127.0.0.1, and exits 0
# when every check held. Everything started is stopped on exit.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B="${EWSGW_BUILD:-$TOP/build}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ewsgw-e2e.XXXXXX")
PIDS=""
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=aaaaaaaa-0000-4000-8000-000000000001

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ "${KEEP:-}" = "" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "-- $*"; }

. "$TOP/scripts/loopback.sh"

# wait_up URL: wait_http, or fail the case.
wait_up() { wait_http "$1" || fail "nothing answered at $1"; }

# start_fake [fake365 options...]: sets FPORT, FAKE (base URL).
start_fake() {
	FPORT=$(free_port)
	FAKE="http://127.0.0.1:$FPORT"
	"$B/fake365" --listen "127.0.0.1:$FPORT" --log "$T/fake.jsonl" "$@" \
	    >>"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	PIDS="$PIDS $FAKE_PID"
	wait_up "$FAKE/_fake/health"
}

# write_conf [extra lines for [gateway]]: sets GPORT, APORT, GW, CONF.
write_conf() {
	GPORT=$(free_port)
	APORT=$(free_port)
	GW="http://127.0.0.1:$GPORT"
	ADMIN="http://127.0.0.1:$APORT"
	CONF="$T/ewsgw.conf"
	mkdir -p "$T/state"
	cat >"$CONF" <<CONF
[gateway]
listen = 127.0.0.1:$GPORT
admin_listen = 127.0.0.1:$APORT
state_dir = $T/state
log_level = ${LOG_LEVEL:-info}
${1:-}

[office365]
tenant_id = $TENANT
client_id = $CLIENT
authority = $FAKE
ews_url = $FAKE/EWS/Exchange.asmx
graph_url = $FAKE/v1.0
CONF
	export EWSGW_CONFIG="$CONF"
}

ewsgw() { "$B/ewsgw" -c "$CONF" "$@"; }

# start_gw: serve in the background, wait for /healthz.
start_gw() {
	"$B/ewsgw" -c "$CONF" serve >>"$T/gw.log" 2>&1 &
	GW_PID=$!
	PIDS="$PIDS $GW_PID"
	wait_up "$ADMIN/healthz"
}

stop_gw() {
	kill "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
}

# approve_code USER_CODE UPN: what the person does in the browser.
approve_code() {
	curl -fs -o /dev/null -d "user_code=$1" --data-urlencode "username=$2" \
	    -d action=approve "$FAKE/devicelogin" || fail "approve $1"
}

# login NAME UPN: runs 'ewsgw login NAME', signs in as UPN at the fake.
login() {
	device_signin "$T/login-$1.out" "$FAKE" "$2" "$B/ewsgw" -c "$CONF" \
	    login "$1" || { cat "$T/login-$1.out"; fail "login $1 failed"; }
}

# soap OP_BODY_FILE: the request bodies live in tests/data.
DATA="$TOP/tests/data"

# ews USER:PASS FILE [curl options]: POST an EWS request through ewsgw;
# prints the HTTP status, body in $T/resp.xml.
ews() {
	creds=$1 file=$2
	shift 2
	curl -s -o "$T/resp.xml" -w '%{http_code}' -u "$creds" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary "@$file" "$@" "$GW/EWS/Exchange.asmx"
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	note "$1: $2"
}

# fake_log_json: the requests fake365 received, one JSON object a line.
fake_log() { cat "$T/fake.jsonl" 2>/dev/null; }

# calendar_body OUT: the CalendarView request for the weeks around today.
calendar_body() {
	s=$(date -u -d '7 days ago' +%Y-%m-%dT00:00:00Z)
	e=$(date -u -d '14 days' +%Y-%m-%dT00:00:00Z)
	sed -e "s/@START@/$s/" -e "s/@END@/$e/" \
	    "$DATA/finditem-calendar.xml.in" >"$1"
}

# add_user NAME MAILBOX PASSWORD [more user add options]
add_user() {
	n=$1 m=$2 pw=$3
	shift 3
	printf '%s\n' "$pw" | ewsgw user add "$n" --mailbox "$m" \
	    --password-stdin "$@" || fail "user add $n"
}

# gateway_with_alice: fake365 + config (plus the [gateway] lines in
# $GW_CONF, if set) + alice (password alice-local-pw) signed in + serve
# running.
ALICE_PW=alice-local-pw
gateway_with_alice() {
	[ -n "${FAKE:-}" ] || start_fake "$@"
	write_conf "${GW_CONF:-}"
	add_user alice alice@contoso.example "$ALICE_PW"
	login alice alice@contoso.example
	start_gw
}

# token_of NAME: the token state 'user list --json' shows.
token_of() {
	ewsgw user list --json | $PY -c '
import json, sys
u = [u for u in json.load(sys.stdin) if u["name"] == sys.argv[1]]
print(u[0]["token"])' "$1"
}

# fake_stat KEY: one number from /_fake/stats, dotted path ("token.refresh_token").
fake_stat() {
	curl -fs "$FAKE/_fake/stats" | $PY -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$1"
}

# fake_post PATH JSON
fake_post() {
	curl -fs -o /dev/null -H 'Content-Type: application/json' \
	    -d "$2" "$FAKE$1" || fail "fake365 $1 refused $2"
}

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# peak_rss PID BGPID: sets PEAK to the largest RSS (KiB) of PID seen
# while BGPID (a child of this shell) runs, then reaps BGPID. Not in a
# $(...): there BGPID would stay a zombie that kill -0 still finds.
peak_rss() {
	PEAK=$(rss_kb "$1")
	while kill -0 "$2" 2>/dev/null; do
		_r=$(rss_kb "$1")
		[ "$_r" -gt "$PEAK" ] && PEAK=$_r
		sleep 0.2
	done
	wait "$2"
}
