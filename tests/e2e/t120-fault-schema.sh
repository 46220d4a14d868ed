# Every fault ewsgw can write holds against the EWS schemas: the
# ResponseCode is one of messages.xsd's, the envelope is a SOAP 1.1 fault.
. "$(dirname "$0")/lib.sh"
"$B/tests/faultdump" "$T" >"$T/list" || fail "faultdump"
n=0
while read -r f; do
	"$B/tests/ewsvalidate" "$f" || fail "$(basename "$f") does not validate"
	n=$((n + 1))
done <"$T/list"
[ "$n" -ge 10 ] || fail "only $n faults"
note "$n faults valid"
