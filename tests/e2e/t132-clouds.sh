# Sovereign clouds are a config change: every block of docs/clouds.md is
# valid configuration, and for GCC High, DoD and China the scope ewsgw
# asks for reaches the identity platform unchanged, the token endpoints
# are {authority}/{tenant}/oauth2/v2.0/..., and EWS through ewsgw carries
# a token for that cloud's EWS host.
. "$(dirname "$0")/lib.sh"

note "docs/clouds.md blocks load"
$PY - "$TOP/docs/clouds.md" "$T" <<'PY' || fail "extracting the blocks"
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```ini\n(.*?)```", text, re.S)
assert len(blocks) == 4, len(blocks)
for i, b in enumerate(blocks):
    open(f"{sys.argv[2]}/cloud{i}.conf", "w").write(
        f"[gateway]\nstate_dir = {sys.argv[2]}/cstate\n\n{b}")
    keys = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", b, re.M))
    host = lambda u: u.split("/")[2]
    assert host(keys["ews_url"]) == host(keys["scope"].split()[0]), b
PY
for i in 0 1 2 3; do
	"$B/ewsgw" -c "$T/cloud$i.conf" user list >/dev/null 2>"$T/cloud$i.err" ||
	    { cat "$T/cloud$i.err"; fail "docs/clouds.md block $i"; }
done
note "4 blocks load"

start_fake --device-interval 1
for host in outlook.office365.us outlook-dod.office365.us partner.outlook.cn; do
	scope="https://$host/EWS.AccessAsUser.All offline_access"
	note "$host"
	rm -rf "$T/state"
	write_conf
	echo "scope = $scope" >>"$CONF"
	add_user alice alice@contoso.example "$ALICE_PW" >/dev/null
	seen=$(fake_log | wc -l)
	rm -f "$T/login-alice.out"	# device_signin must not read the last code
	login alice alice@contoso.example
	start_gw
	expect "GetFolder" "$(ews "alice:$ALICE_PW" "$DATA/getfolder-inbox.xml")" 200
	stop_gw
	fake_log | tail -n +$((seen + 1)) | $PY -c '
import json, sys
scope, host, tenant = sys.argv[1:4]
log = [json.loads(l) for l in sys.stdin]
dc = [r for r in log if r["path"].endswith("/devicecode")]
assert [r["path"] for r in dc] == [f"/{tenant}/oauth2/v2.0/devicecode"], dc
# The configured scope as written, plus only what OpenID Connect adds
# (login asks for an ID token to check the account).
sent = dc[0].get("scope", "")
assert sent.startswith(scope), sent
assert set(sent[len(scope):].split()) <= {"openid", "profile", "email"}, sent
tok = {r["path"] for r in log if r.get("target") == "token"} - {dc[0]["path"]}
assert tok == {f"/{tenant}/oauth2/v2.0/token"}, tok
ews = [r for r in log if r.get("target") == "ews"]
assert ews and all(r.get("aud") == f"https://{host}" for r in ews), ews
print(f"scope sent: {sent}; token aud https://{host}")
' "$scope" "$host" "$TENANT" || fail "$host: what fake365 saw"
done
exit 0
