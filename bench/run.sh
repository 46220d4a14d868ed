#!/bin/sh
# make bench: requests per second through ewsgw against requests per
# second straight to fake365 (the peer), same machine, same run, same
# request (GetFolder of the inbox), same load (wrk, 16 connections).
# Prints both and their ratio. Loopback only; bounded duration.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B="$TOP/build"
DUR=${DUR:-10}
CONNS=${CONNS:-16}
if ! command -v wrk >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "bench: needs wrk: apt-get install -y wrk" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
	    { echo "bench: cannot install wrk" >&2; exit 1; }
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/ewsgw-bench.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
. "$TOP/scripts/loopback.sh"
wait_up() { wait_http "$1" || { echo "bench: $1 did not come up" >&2; exit 1; }; }
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=aaaaaaaa-0000-4000-8000-000000000001

FP=$(free_port); GP=$(free_port); AP=$(free_port)
FAKE=http://127.0.0.1:$FP
"$B/fake365" --listen 127.0.0.1:$FP --device-interval 1 >"$T/fake.out" 2>&1 &
PIDS="$PIDS $!"
wait_up "$FAKE/_fake/health"
mkdir -p "$T/state"
cat >"$T/ewsgw.conf" <<CONF
[gateway]
listen = 127.0.0.1:$GP
admin_listen = 127.0.0.1:$AP
state_dir = $T/state
log_level = warn
[office365]
tenant_id = $TENANT
client_id = $CLIENT
authority = $FAKE
ews_url = $FAKE/EWS/Exchange.asmx
CONF
gw() { "$B/ewsgw" -c "$T/ewsgw.conf" "$@"; }
echo bench-pw | gw user add alice --mailbox alice@contoso.example --password-stdin >/dev/null
device_signin "$T/login.out" "$FAKE" alice@contoso.example \
    "$B/ewsgw" -c "$T/ewsgw.conf" login alice || { cat "$T/login.out"; exit 1; }
"$B/ewsgw" -c "$T/ewsgw.conf" serve >"$T/gw.log" 2>&1 &
GWP=$!
PIDS="$PIDS $GWP"
wait_up "http://127.0.0.1:$AP/healthz"

# A token of alice's for the direct runs, by the same device flow.
dc=$(curl -fs -d "client_id=$CLIENT" --data-urlencode "scope=https://outlook.office365.com/EWS.AccessAsUser.All offline_access" \
    "$FAKE/$TENANT/oauth2/v2.0/devicecode")
uc=$(echo "$dc" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["user_code"])')
dv=$(echo "$dc" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["device_code"])')
curl -fs -o /dev/null -d "user_code=$uc" -d username=alice@contoso.example -d action=approve "$FAKE/devicelogin"
tok=$(curl -fs -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d "client_id=$CLIENT" -d "device_code=$dv" \
    "$FAKE/$TENANT/oauth2/v2.0/token" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

export BODY="$TOP/tests/data/getfolder-inbox.xml"
run() {	# name url authz
	AUTHZ="$3" wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -s "$TOP/bench/post.lua" "$2" >"$T/$1.txt" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T/$1.txt")
	p50=$(awk '$1 == "50%" { print $2 }' "$T/$1.txt")
	p99=$(awk '$1 == "99%" { print $2 }' "$T/$1.txt")
	non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$T/$1.txt")
	printf '%-8s %10s req/s   p50 %-8s p99 %-8s non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
	eval "RPS_$1=$rps"
}
basic=$(printf 'alice:bench-pw' | base64)
echo "GetFolder(inbox), wrk -c$CONNS, ${DUR}s each, $(nproc) cores"
run warmup "http://127.0.0.1:$GP/EWS/Exchange.asmx" "Basic $basic" >/dev/null
run direct "$FAKE/EWS/Exchange.asmx" "Bearer $tok"
run ewsgw "http://127.0.0.1:$GP/EWS/Exchange.asmx" "Basic $basic"
echo "ewsgw peak RSS: $(awk '/^VmHWM:/ { print $2 " " $3 }' /proc/$GWP/status)"
/usr/bin/python3 -c "import sys; print('ratio ewsgw/direct: %.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$RPS_direct" "$RPS_ewsgw"
