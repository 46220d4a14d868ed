# ewsgw user ...: every command and every mistake, with its exit status and
# its one line on stderr; the files it creates and their modes; the JSON
# list; and no password (or its hash) in any file or any output.
. "$(dirname "$0")/lib.sh"
FAKE=http://127.0.0.1:9		# nothing here talks to the identity platform
write_conf
STATE="$T/state"
rmdir "$STATE"			# ewsgw creates it, 0700
PW='Tr0ub4dor&3-e2e-secret'
ALL="$T/all-output"		# everything ewsgw printed, for the final grep
: >"$ALL"

# run WANT_STATUS ARGS...: ewsgw ARGS (stdin passed on); stdout in $T/o,
# stderr in $T/e.
run() {
	want=$1
	shift
	ewsgw "$@" >"$T/o" 2>"$T/e"
	rc=$?
	cat "$T/o" "$T/e" >>"$ALL"
	if [ "$rc" != "$want" ]; then
		cat "$T/o" "$T/e"
		fail "ewsgw $*: exit $rc, want $want"
	fi
}

# err_is TEXT: stderr is that one line.
err_is() {
	[ "$(cat "$T/e")" = "ewsgw: $1" ] ||
		fail "stderr: '$(cat "$T/e")', want 'ewsgw: $1'"
	note "ewsgw: $1"
}

# usage_err REASON: a usage error: the reason, then the usage line.
usage_err() {
	[ "$(sed -n 1p "$T/e")" = "ewsgw: $1" ] ||
		fail "stderr: '$(sed -n 1p "$T/e")', want 'ewsgw: $1'"
	sed -n 2p "$T/e" | grep -q '^usage: ewsgw \[-c FILE\] user ' ||
		fail "no usage line after '$1'"
	[ ! -s "$T/o" ] || fail "usage error wrote to stdout"
	note "ewsgw: $1 (+ usage)"
}

out_has() { grep -q -- "$1" "$T/o" || { cat "$T/o"; fail "stdout lacks '$1'"; }; }

# json EXPR: evaluates a Python expression over the parsed 'user list
# --json' (u: dict by lower-case name, L: the list); prints the result.
json() {
	run 0 user list --json
	$PY -c '
import json, sys
L = json.load(open(sys.argv[1]))
u = {x["name"].lower(): x for x in L}
print(eval(sys.argv[2]))' "$T/o" "$1" || fail "user list --json: not JSON"
}

jexpect() { expect "$1" "$(json "$2")" "$3"; }

# ---- add, and the files it creates ----
printf '%s\r\n' "$PW" | run 0 user add alice --mailbox alice@contoso.example \
    --password-stdin
out_has "added alice"
expect "state_dir mode" "$(stat -c %a "$STATE")" 700
expect "key mode" "$(stat -c %a "$STATE/key")" 600
expect "key size" "$(stat -c %s "$STATE/key")" 32
expect "db mode" "$(stat -c %a "$STATE/ewsgw.db")" 600
run 0 user add bob --mailbox bob@contoso.example --mode app \
    --backend graph --disabled
run 0 user add 'CONTOSO\carol' --mailbox carol@contoso.example --mode onprem
run 0 user add dave@contoso.example --mailbox dave@contoso.example \
    --mode ropc

# The stored hash is PBKDF2-SHA256 of the password without its CR LF.
$PY - "$STATE/ewsgw.db" "$PW" <<'PY' || fail "password hash does not verify"
import base64, hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h, = db.execute("SELECT password_hash FROM users WHERE name='alice'").fetchone()
alg, it, salt, want = h.split("$")
assert alg == "pbkdf2-sha256" and int(it) >= 600000, h[:20]
got = hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), base64.b64decode(salt), int(it))
sys.exit(0 if got == base64.b64decode(want) else 1)
PY
note "password hash verifies"

# ---- mistakes on add: exit 1, one line ----
run 1 user add ALICE --mailbox other@contoso.example
err_is "user alice already exists"
run 1 user add erin --mailbox erin
err_is "bad mailbox 'erin': expected an address like alice@contoso.com"
run 1 user add erin --mailbox 'erin @contoso.example'
err_is "bad mailbox 'erin @contoso.example': expected an address like alice@contoso.com"
run 1 user add erin --mailbox erin@contoso.example --mode admin
err_is "bad mode 'admin': expected delegated, ropc, app or onprem"
run 1 user add erin --mailbox erin@contoso.example --backend soap
err_is "bad backend 'soap': expected ews or graph, or default"
run 1 user add 'erin smith' --mailbox erin@contoso.example
grep -q "^ewsgw: bad user name 'erin smith'" "$T/e" || fail "bad name: $(cat "$T/e")"
: | run 1 user add erin --mailbox erin@contoso.example --password-stdin
err_is "empty password on standard input"

# ---- usage errors: exit 2, reason + usage line ----
run 2 user add erin
usage_err "user add: missing --mailbox"
run 2 user add
usage_err "user add: missing NAME"
run 2 user add erin --mailbox
usage_err "user add: option --mailbox needs an argument"
run 2 user add erin --mailbox erin@contoso.example --frobnicate
usage_err "user add: unknown option --frobnicate"
run 2 user add erin --mailbox erin@contoso.example --json
usage_err "user add: unknown option --json"
run 2 user add erin frank --mailbox erin@contoso.example
usage_err "user add: unexpected argument 'frank'"
run 2 user set alice
usage_err "user set: nothing to change"
run 2 user set alice --password-stdin --no-password
usage_err "user set: --password-stdin and --no-password exclude each other"
run 2 user set
usage_err "user set: missing NAME"
run 2 user enable
usage_err "user enable: missing NAME"
run 2 user disable
usage_err "user disable: missing NAME"
run 2 user remove
usage_err "user remove: missing NAME"
run 2 user import
usage_err "user import: missing FILE.csv"
run 2 user list extra
usage_err "user list: unexpected argument 'extra'"
run 2 user frob
[ "$(sed -n 1p "$T/e")" = "ewsgw: user: unknown command 'frob'" ] ||
	fail "unknown command: $(cat "$T/e")"
run 2 user
grep -q '^usage: ' "$T/e" || fail "bare 'user' gave no usage"
expect "erin was never added" "$(json '"erin" in u')" False

# ---- help ----
run 0 user --help
out_has "user import FILE.csv"
run 0 user add --help
out_has "^usage: ewsgw \[-c FILE\] user add NAME --mailbox ADDR"
out_has "--password-stdin"
run 0 user set --help
out_has "--impersonate"
run 0 help user
out_has "user list"

# ---- unknown users: exit 1 ----
for c in enable disable remove; do
	run 1 user $c nobody
	err_is "no such user: nobody"
done
run 1 user set nobody --mode ropc
err_is "no such user: nobody"

# ---- list ----
run 0 user list
expect "table header" "$(sed -n 1p "$T/o" | tr -s ' ')" \
    "NAME MAILBOX MODE BACKEND ENABLED TOKEN"
expect "table rows" "$(wc -l <"$T/o")" 5
expect "table row of bob" "$(grep '^bob ' "$T/o" | tr -s ' ')" \
    "bob bob@contoso.example app graph no none"
# Columns line up: MAILBOX starts at the same offset on every line.
expect "aligned" "$(awk '{ match($0, / +/); print RSTART + RLENGTH }' "$T/o" |
    sort -u | wc -l)" 1
jexpect "json names" '[x["name"] for x in L]' \
    "['alice', 'bob', 'CONTOSO\\\\carol', 'dave@contoso.example']"
jexpect "json alice" '(u["alice"]["mailbox"], u["alice"]["mode"], u["alice"]["backend"], u["alice"]["enabled"], u["alice"]["token"], u["alice"]["has_password"])' \
    "('alice@contoso.example', 'delegated', 'ews', True, 'none', True)"
jexpect "json bob" '(u["bob"]["mode"], u["bob"]["backend"], u["bob"]["enabled"], u["bob"]["has_password"])' \
    "('app', 'graph', False, False)"
jexpect "json carol" 'u["contoso\\carol"]["mode"]' onprem
jexpect "json no token_error" '"token_error" in u["alice"]' False
jexpect "json types" 'all(type(x["enabled"]) is bool for x in L)' True

# ---- set, enable, disable ----
printf 'second-%s\n' "$PW" | run 0 user set Alice --password-stdin --backend graph
out_has "updated alice"
jexpect "backend graph" 'u["alice"]["backend"]' graph
run 0 user set alice --backend default
jexpect "backend back to the default" 'u["alice"]["backend"]' ews
run 0 user set bob --impersonate 'ann@contoso.example, *@fabrikam.example'
jexpect "impersonate" 'u["bob"]["impersonate"]' "ann@contoso.example,*@fabrikam.example"
run 1 user set bob --impersonate 'ann'
err_is "bad impersonation entry 'ann': expected an address like bob@contoso.com or *@contoso.com"
run 0 user set bob --impersonate none
jexpect "impersonate cleared" '"impersonate" in u["bob"]' False
run 1 user set bob --mailbox nope
err_is "bad mailbox 'nope': expected an address like alice@contoso.com"
run 1 user set bob --mode superuser
err_is "bad mode 'superuser': expected delegated, ropc, app or onprem"
run 0 user enable BOB
out_has "enabled BOB"
jexpect "bob enabled" 'u["bob"]["enabled"]' True
run 0 user disable alice
jexpect "alice disabled" 'u["alice"]["enabled"]' False
run 0 user enable alice
run 0 user set dave@contoso.example --no-password
jexpect "no password" 'u["dave@contoso.example"]["has_password"]' False

# A user with tokens that gets another mailbox loses them. The state is
# planted as 'ewsgw login' would leave it (the sealed blobs do not matter
# for this).
plant_token() {
	$PY - "$STATE/ewsgw.db" "$1" <<'PY' || fail "cannot plant a token"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT OR REPLACE INTO tokens (user_id, state, access_expires,"
    " generation, updated_at) SELECT id, 'valid', 1893456000, 7, 0"
    " FROM users WHERE name = ?", (sys.argv[2],))
db.commit()
PY
}
plant_token alice
jexpect "planted" '(u["alice"]["token"], u["alice"]["token_expires"])' \
    "('valid', '2030-01-01T00:00:00Z')"
run 0 user set alice --backend graph
jexpect "a backend change keeps tokens" 'u["alice"]["token"]' valid
run 0 user set alice --mailbox ALICE@contoso.example
jexpect "a change of case keeps tokens" 'u["alice"]["token"]' valid
run 0 user set alice --mailbox alice.smith@contoso.example
out_has "cleared the tokens of alice"
out_has "next: ewsgw login alice"
jexpect "a new mailbox clears tokens" 'u["alice"]["token"]' none
plant_token alice
run 0 user set alice --mode ropc
out_has "cleared the tokens of alice"
jexpect "a new mode clears tokens" 'u["alice"]["token"]' none

# ---- import ----
cat >"$T/users.csv" <<'CSV'
name,mailbox,mode,enabled
frank,frank@contoso.example,,
"grace","grace@contoso.example","app","no"
bob,bob.new@contoso.example,,false
heidi,heidi@contoso.example,onprem,YES
CSV
run 0 user import "$T/users.csv"
expect "import output" "$(cat "$T/o")" "imported 4 users"
jexpect "imported" '(u["frank"]["mode"], u["frank"]["enabled"], u["grace"]["mode"], u["grace"]["enabled"], u["heidi"]["mode"])' \
    "('delegated', True, 'app', False, 'onprem')"
jexpect "updated by import" '(u["bob"]["mailbox"], u["bob"]["mode"], u["bob"]["enabled"])' \
    "('bob.new@contoso.example', 'app', False)"
jexpect "count after import" 'len(L)' 7

cat >"$T/bad.csv" <<'CSV'
name,mailbox,mode,enabled
ivan,ivan@contoso.example,,
judy,judy@contoso.example,,

frank,frank.changed@contoso.example,,
mallory,not-an-address,,
CSV
run 1 user import "$T/bad.csv"
err_is "$T/bad.csv:6: bad mailbox 'not-an-address': expected an address like alice@contoso.com"
jexpect "nothing of a bad file" '("ivan" in u, "judy" in u, u["frank"]["mailbox"], len(L))' \
    "(False, False, 'frank@contoso.example', 7)"
printf 'name,mailbox,mode,enabled\nivan,ivan@contoso.example,boss,\n' >"$T/bad.csv"
run 1 user import "$T/bad.csv"
err_is "$T/bad.csv:2: bad mode 'boss': expected delegated, ropc, app or onprem"
printf 'name,mailbox,mode,enabled\nivan,ivan@contoso.example,,perhaps\n' >"$T/bad.csv"
run 1 user import "$T/bad.csv"
err_is "$T/bad.csv:2: bad enabled value 'perhaps': expected true, false, yes, no, 1 or 0"
printf 'user,mail\nivan,ivan@contoso.example\n' >"$T/bad.csv"
run 1 user import "$T/bad.csv"
grep -q "^ewsgw: $T/bad.csv:1: unknown column 'user'" "$T/e" ||
	fail "bad header: $(cat "$T/e")"
run 1 user import "$T/missing.csv"
err_is "$T/missing.csv: No such file or directory"

# ---- remove ----
run 0 user remove BOB
out_has "removed BOB"
jexpect "bob removed" '"bob" in u' False
run 1 user remove bob
err_is "no such user: bob"

# ---- a key others can read is refused, naming the fix ----
chmod 644 "$STATE/key"
run 1 user list
grep -q "key file $STATE/key .*chmod 600 $STATE/key" "$T/e" ||
	fail "lax key: $(cat "$T/e")"
note "$(cat "$T/e")"
chmod 600 "$STATE/key"
run 0 user list

# ---- no secret anywhere ----
hash=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT password_hash FROM users WHERE name=?", ("alice",)).fetchone()[0])' \
    "$STATE/ewsgw.db")
case "$hash" in pbkdf2-sha256\$*) ;; *) fail "no hash for alice" ;; esac
for f in "$STATE"/* "$ALL"; do
	! grep -aqF -- "$PW" "$f" || fail "the password is in $f"
done
! grep -aqF -- "$hash" "$ALL" || fail "a password hash was printed"
! grep -aq 'pbkdf2' "$ALL" || fail "a password hash was printed"
note "no password or hash in $(ls "$STATE" | tr '\n' ' ')or the output"
echo "ok"
