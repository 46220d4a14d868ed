# What upstream receives: the body byte for byte, Bearer + X-AnchorMailbox,
# Via naming ewsgw, the client's end-to-end headers; hop-by-hop and the
# client's Authorization dropped.
. "$(dirname "$0")/lib.sh"
gateway_with_alice --device-interval 1
req="$DATA/getfolder-inbox.xml"
st=$(ews alice:$ALICE_PW "$req" -H 'SOAPAction: "http://schemas.microsoft.com/exchange/services/2006/messages/GetFolder"' \
    -H 'User-Agent: LegacyPBX/1.0' -H 'X-Custom-Thing: kept' \
    -H 'Connection: keep-alive, X-Secret-Hop' -H 'X-Secret-Hop: dropped' \
    -H 'Proxy-Authorization: Basic Zm9vOmJhcg==' -H 'X-AnchorMailbox: bob@contoso.example' \
    -D "$T/resp.h")
expect "status" "$st" 200
grep -qi '^X-Ewsgw-Request-Id:' "$T/resp.h" || fail "no request id header"
grep -qi '^WWW-Authenticate' "$T/resp.h" && fail "upstream challenge leaked"
fake_log | $PY -c '
import json, sys
r = [json.loads(l) for l in sys.stdin if "/ews/" in l.lower()][-1]
h = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
names = [n.lower() for n in r.get("header_names", [])]
assert r["auth_scheme"] == "Bearer", r
assert h.get("x-anchormailbox") == "alice@contoso.example", h
assert "ewsgw" in h.get("via", ""), h
assert h.get("user-agent") == "LegacyPBX/1.0", h
assert "soapaction" in h, h
assert "x-custom-thing" in names, names
for bad in ("x-secret-hop", "proxy-authorization", "connection", "keep-alive"):
    assert bad not in names, (bad, names)
print("upstream headers ok")
' || fail "upstream headers"
# Byte for byte: fake365 logs the body digest it received.
want=$(sha256sum <"$req" | cut -d' ' -f1)
got=$(fake_log | $PY -c '
import json, sys
print([json.loads(l) for l in sys.stdin if "/ews/" in l.lower()][-1].get("body_sha256", ""))')
expect "body sha256" "$got" "$want"
