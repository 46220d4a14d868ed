# fake365 streams GetAttachment of big-N with bounded memory: a small one
# arrives whole, valid and with the right bytes; a 256 MiB one to a slow
# client keeps the fake's RSS small, and the client leaving mid-way
# costs the fake nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tools/fake365.sh"
start_fake --device-interval 1
fk_token alice@contoso.example

# A small one, whole: valid EWS, N bytes where byte i is i % 251.
n=1000003
sed "s/@BYTES@/$n/" "$DATA/getattachment-big.xml.in" >"$T/small.xml"
expect "big-$n" "$(fk_ews "$AT" "$T/small.xml")" 200
fk_header Transfer-Encoding "$T/ews.hdr" | grep -qi chunked ||
    fail "big-$n was not streamed"
fk_valid "big-$n"
$PY - "$T/ews.xml" "$n" <<'PY' || fail "big-$n content"
import base64, re, sys
x = open(sys.argv[1]).read()
n = int(sys.argv[2])
data = base64.b64decode(re.search(r"<t:Content>([^<]*)<", x).group(1))
assert len(data) == n, len(data)
assert data == bytes(i % 251 for i in range(n)), "wrong bytes"
assert "<t:Size>%d</t:Size>" % n in x
print("big-%d: %d bytes of content, as generated" % (n, len(data)))
PY

# 256 MiB at 16 MiB/s for a few seconds: the fake's memory stays small.
n=$((256 * 1024 * 1024))
sed "s/@BYTES@/$n/" "$DATA/getattachment-big.xml.in" >"$T/big.xml"
base=$(rss_kb "$FAKE_PID")
curl -s --limit-rate 16M -o "$T/big.out" -H "Authorization: Bearer $AT" \
    -H 'Content-Type: text/xml; charset=utf-8' \
    --data-binary @"$T/big.xml" "$FAKE/EWS/Exchange.asmx" &
cp=$!
peak=$base
i=0
while [ $i -lt 20 ] && kill -0 $cp 2>/dev/null; do
	sleep 0.2
	r=$(rss_kb "$FAKE_PID")
	[ "$r" -gt "$peak" ] && peak=$r
	i=$((i + 1))
done
got=$(stat -c %s "$T/big.out")
kill $cp 2>/dev/null
wait $cp 2>/dev/null
note "fake365 RSS: start $base KiB, peak $peak KiB; $got bytes sent in 4 s"
[ "$got" -gt $((16 * 1024 * 1024)) ] || fail "only $got bytes in 4 s"
[ "$peak" -lt 65536 ] || fail "fake365 RSS reached $peak KiB"
head -c 2000 "$T/big.out" | grep -q '<t:Size>268435456</t:Size>' ||
    fail "the streamed envelope"
echo "figure: fake365_peak_rss_kib=$peak streamed_bytes=$got"

# The client left: the fake noticed, and serves the next request.
sleep 0.3
grep -q 'big attachment: client left' "$T/fake.out" ||
    fail "fake365 did not see the client leave"
expect "after the abort" "$(fk_ews "$AT" "$FK_DATA/getfolder.xml")" 200
exit 0
