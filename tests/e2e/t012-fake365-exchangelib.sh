# exchangelib 4.9 talks straight to fake365 with a token from fake365's
# device flow: it guesses the version, reads the inbox, a calendar view
# and an attachment, resolves names. This proves exchangelib parses the
# fake's XML; the log shows what exchangelib sends first.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tools/fake365.sh"
start_fake --device-interval 1
fk_token alice@contoso.example
$PY "$TOP/tests/e2e/fake365_exchangelib.py" "$FAKE/EWS/Exchange.asmx" "$AT" \
    alice@contoso.example || fail "exchangelib against fake365"
fake_log | $PY -c '
import json, sys
ews = [json.loads(l) for l in sys.stdin]
ews = [e for e in ews if e.get("target") == "ews"]
first = ews[0]
# version guessing: Exchange2019 first (refused, as by EXO), then Exchange2016
assert first.get("operation") == "ConvertId", first
assert first["status"] == 500 and first["fault_code"] == "ErrorInvalidServerVersion", first
assert ews[1].get("operation") == "ConvertId" and ews[1]["status"] == 200, ews[1]
assert all(e["status"] == 200 for e in ews[1:]), [e for e in ews if e["status"] != 200]
assert all(e["upn"] == "alice@contoso.example" for e in ews), ews
print("exchangelib sent:", " ".join(e["operation"] for e in ews))
' || fail "exchangelib requests"
exit 0
