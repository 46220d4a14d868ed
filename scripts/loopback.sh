# Shell helpers shared by make demo, make bench and the end-to-end cases.
# Everything they start listens on 127.0.0.1.

PY=/usr/bin/python3	# Debian's python, the one that sees exchangelib

# A TCP port nobody listens on right now.
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL [tries]: until URL answers 2xx, every 0.1 s; 1 if never.
wait_http() {
	_i=0
	while [ $_i -lt "${2:-100}" ]; do
		curl -fs -o /dev/null "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# device_signin OUT FAKE UPN CMD...: runs CMD (an 'ewsgw login NAME') with
# its output in OUT, approves the code it shows at fake365 (base URL FAKE)
# as UPN, the way a person would in the browser, and waits for CMD.
device_signin() {
	_out=$1 _fake=$2 _upn=$3
	shift 3
	rm -f "$_out"	# else the last run's code is read before CMD truncates it
	"$@" >"$_out" 2>&1 &
	_lp=$!
	_i=0
	_code=""
	while [ $_i -lt 300 ] && [ -z "$_code" ]; do
		_code=$(sed -n 's/.*enter the code \([A-Z0-9]*\).*/\1/p' "$_out" | head -1)
		[ -n "$_code" ] || sleep 0.1
		_i=$((_i + 1))
	done
	if [ -z "$_code" ]; then
		echo "device_signin: no code shown in 30 s" >&2
		kill $_lp 2>/dev/null
		return 1
	fi
	if ! curl -fsS -o /dev/null -d "user_code=$_code" \
	    --data-urlencode "username=$_upn" -d action=approve \
	    "$_fake/devicelogin"; then
		echo "device_signin: approving $_code failed" >&2
		kill $_lp 2>/dev/null
		return 1
	fi
	wait $_lp
}
