#!/bin/bash
# SPDX-License-Identifier: MIT
# it_summary_html.sh - `ptraudit summary` on real reports from testnet, and
# its HTML page rendered in a real headless browser (Debian's chromium):
# the counts in the rendered DOM, a screenshot that shows the /16 grid.
# Also (issue 12): the failing addresses with their flags and levels, the
# flag table, the invalid column, the maps over the scanned /24s only, and
# --previous (summary and the scan's --html).
# Expected counts are written by hand from tests/testnet.md:
#   127.64.0.0 pass (ok), .1 nxdomain (fail NO_PTR), .2 nodata (fail NO_PTR),
#   .3 PTR without A (fail PTR_NO_FORWARD), .4 mismatch (fail
#   FCRDNS_MISMATCH), .5 two PTRs (warn MULTI_PTR), .8 servfail (unknown),
#   .12 refused (unknown); 127.96.0.0/26 clean block: 64 x ok.
# DNS only (--no-smtp): nothing but 127.0.0.1 is ever contacted, and the
# browser runs with networking features off on a page that loads nothing.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

start_testnet --smtp-net 127.64.0.0/24 # sets DNS and SMTP
R=(-r "127.0.0.1:$DNS" --no-smtp --dns-timeout 1000 --dns-tries 2 --rate 0 -q --fail-on never)

# run CMD...: sets OUT, ERR, RC
run() {
  "$@" >"$SCRATCH/o" 2>"$SCRATCH/e"; RC=$?
  OUT=$(cat "$SCRATCH/o"); ERR=$(cat "$SCRATCH/e")
}

# The inventory: customer column with hostile text, one invalid row.
{
  echo "ip,customer"
  for i in 0 1 2 3 4; do echo "127.64.0.$i,acme"; done
  for i in 5 8 12; do echo "127.64.0.$i,beta <b>&co"; done
  echo "not-an-ip,beta <b>&co"
  for i in $(seq 0 63); do echo "127.96.0.$i,gamma"; done
} > inv.csv
run "$PTRAUDIT" "${R[@]}" -i inv.csv -o a.csv
check "audit for the summary: exit 0" 0 "$RC"
check "audit: 73 rows + header" 74 "$(wc -l < a.csv)"

# Two "shards": the header plus half the rows each, one gzip, one plain.
head -n 1 a.csv > s1.csv; head -n 1 a.csv > s2.csv
tail -n +2 a.csv | awk 'NR % 2' >> s1.csv
tail -n +2 a.csv | awk '!(NR % 2)' >> s2.csv
gzip s1.csv

run "$PTRAUDIT" summary --by customer s1.csv.gz s2.csv
check "summary of two shards: exit 0" 0 "$RC"
check_match "summary: 73 rows" "^rows: 73," "$OUT"
check_match "summary: fail 4" $'\nfail              4    ' "$OUT"
check_match "summary: unknown 2" $'\nunknown           2    ' "$OUT"
check_match "summary: warn 1" $'\nwarn              1    ' "$OUT"
check_match "summary: ok 65" $'\nok               65    ' "$OUT"
check_match "summary: invalid 1" $'\ninvalid           1    ' "$OUT"
check_match "summary: NO_PTR 2" $'\nNO_PTR                      2\n' "$OUT"
check_match "summary: PTR_TEMPERROR 2" $'\nPTR_TEMPERROR               2\n' "$OUT"
check_match "summary: worst prefix first" \
  $'\n  127\\.64\\.0\\.0/24 +8 +4 +2 +1 +1  NO_PTR=2 PTR_TEMPERROR=2 MULTI_PTR=1 PTR_NO_FORWARD=1 FCRDNS_MISMATCH=1\n  127\\.96\\.0\\.0/24 +64 +0 +0 +0 +64  -\n' "$OUT"
check_match "summary: worst customer first" \
  $'worst by customer: 3 of 3.*\n  acme +5 +4 +0 +0 +1  .*\n  beta <b>&co +4 +0 +2 +1 +0  .*\n  gamma +64 +0 +0 +0 +64  -' "$OUT"
check_match "summary: the invalid row is noted" "1 row has no address" "$OUT"

# The same numbers whatever the order and compression of the inputs.
zcat s1.csv.gz > s1.csv
run "$PTRAUDIT" summary --by customer s2.csv s1.csv
out2=$OUT
run "$PTRAUDIT" summary --by customer a.csv
check "shards in any order = the whole report" "$OUT" "$out2"
run bash -c "cat a.csv | '$PTRAUDIT' summary --top 1 -"
check_match "summary from stdin" "^rows: 73," "$OUT"
check_match "--top 1 lists one prefix" "1 of 2, most fail" "$OUT"

# Bad input: exit 2, file and line named.
run "$PTRAUDIT" summary --by owner a.csv
check "unknown --by column: exit 2" 2 "$RC"
check_match "unknown --by column: lists the columns" "no column 'owner'.*columns are: ip, verdict, .*checked_at, smtp_tries, greeting_ms, customer" "$ERR"
sed '5s/,ok,\|,fail,\|,warn,\|,unknown,/,great,/' a.csv > badv.csv
run "$PTRAUDIT" summary a.csv badv.csv
check "bad verdict: exit 2" 2 "$RC"
check_match "bad verdict: names file and line" "badv.csv:5: verdict 'great'" "$ERR"
printf 'ip,verdict,flags\n1.2.3.4,"ok\n' > unterminated.csv
run "$PTRAUDIT" summary unterminated.csv
check "CSV syntax error: exit 2" 2 "$RC"
check_match "CSV syntax error: names file and line" "unterminated.csv:2" "$ERR"
printf 'name,owner\na,b\n' > notreport.csv
run "$PTRAUDIT" summary notreport.csv
check "not a report: exit 2" 2 "$RC"
check_match "not a report: says which column is missing" "no 'ip' column" "$ERR"
run "$PTRAUDIT" summary missing.csv.gz
check "missing file: exit 2" 2 "$RC"
check_match "missing file: named" "missing.csv.gz" "$ERR"
run "$PTRAUDIT" summary
check "no report: exit 2" 2 "$RC"
run "$PTRAUDIT" summary --top -1 a.csv
check "--top -1: exit 2" 2 "$RC"
# A gzip report cut short (a killed run): the rule diff and merge follow
# (cmdutil.h): an input error naming the file, unless --allow-truncated.
gzip -c a.csv > full.csv.gz
head -c $(( $(stat -c %s full.csv.gz) - 30 )) full.csv.gz > cut.csv.gz
run "$PTRAUDIT" summary cut.csv.gz
check "truncated report: exit 2" 2 "$RC"
check_match "truncated report: says so, names the file" "cut\.csv\.gz:[0-9]+: gzip data cut short" "$ERR"
check_match "truncated report: suggests --allow-truncated" "--allow-truncated" "$ERR"
run "$PTRAUDIT" summary --allow-truncated cut.csv.gz
check "summary --allow-truncated: exit 0" 0 "$RC"
check_match "summary --allow-truncated: warning" "warning: cut\.csv\.gz:[0-9]+: gzip data cut short" "$ERR"
check_match "summary --allow-truncated: the complete rows" \
  "^rows: $(( $(zcat cut.csv.gz 2>/dev/null | wc -l) - 1 ))," "$OUT"
# options after the reports, as for diff and merge
run "$PTRAUDIT" summary a.csv --top 1
check "options after the report: exit 0" 0 "$RC"
check_match "options after the report: --top 1 applies" "1 of 2, most fail" "$OUT"
run bash -c "'$PTRAUDIT' summary a.csv > /dev/full"
check "stdout write error: exit 3" 3 "$RC"
run "$PTRAUDIT" summary --html /nonexistent-dir/p.html a.csv
check "unwritable page: exit 3" 3 "$RC"
check_match "unwritable page: names the path" "/nonexistent-dir/p.html" "$ERR"

# ---- the HTML page in a real browser -------------------------------------
run "$PTRAUDIT" summary --by customer --html page.html s1.csv.gz s2.csv
check "summary --html: exit 0" 0 "$RC"
check_match "summary --html still prints the text" "^rows: 73," "$OUT"
[ -s page.html ] && ok "page written" || not_ok "page written"
run grep -cE '<script|<link|https?:|url\(|@import' page.html
check "page has no script and no external reference" 0 "$OUT"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  not_ok "chromium is installed (scripts/deps installs it)"
  finish
fi
browse() {
  local profile
  profile=$(mktemp -d "$SCRATCH/profile.XXXXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --mute-audio \
    --user-data-dir="$profile" "$@"
}

browse --dump-dom "file://$SCRATCH/page.html" > dom.html 2> chromium-dom.log
DOM=$(cat dom.html)
check_match "DOM: rows" '<span id="rows">73</span> rows' "$DOM"
check_match "DOM: fail count" 'id="verdict-fail">4</td>' "$DOM"
check_match "DOM: unknown count" 'id="verdict-unknown">2</td>' "$DOM"
check_match "DOM: warn count" 'id="verdict-warn">1</td>' "$DOM"
check_match "DOM: ok count" 'id="verdict-ok">65</td>' "$DOM"
check_match "DOM: invalid count" 'id="verdict-invalid">1</td>' "$DOM"
check_match "DOM: NO_PTR count" 'id="flag-NO_PTR">2</td>' "$DOM"
check_match "DOM: worst prefix row" '<td class="k">127.64.0.0/24</td><td class="n">8</td><td class="n">4</td><td class="n">2</td><td class="n">1</td><td class="n">1</td>' "$DOM"
check_match "DOM: hostile customer name stays text" '<td class="k">beta &lt;b&gt;&amp;co</td>' "$DOM"
check "DOM: no element injected by a report value" 0 "$(grep -c '<b>&amp;co' dom.html)"
check_match "DOM: the 127.64.0.0/16 picture" '<figure id="map-127-64"><div class="ax">[^<]*</div><img alt="verdict map of 127.64.0.0/16"' "$DOM"
check_match "DOM: the 127.96.0.0/16 picture" '<figure id="map-127-96">' "$DOM"

# ---- issue 12: the failing addresses, flag levels, the invalid column, --
# ---- the maps over the scanned part only, --previous ----------------------
# Worst addresses (hand-written from the scenarios above): the four fail
# rows (one problem flag each, so in address order), the two unknown rows,
# then the warn row; 7 of 7.
check_match "DOM: worst addresses counted" '<span id="worst-shown">7</span> of <span id="worst-total">7</span> rows' "$DOM"
WORST=$(sed -n '/id="worst-table"/,/<\/table>/p' dom.html | grep -oE '<tr><td class="k">[^<]+</td><td><span class="sw v[0-9]"></span>[a-z]+' | sed -E 's/.*"k">([^<]+)<.*<\/span>/\1 /' | tr '\n' ',')
check "DOM: the failing addresses, worst first" \
  "127.64.0.1 fail,127.64.0.2 fail,127.64.0.3 fail,127.64.0.4 fail,127.64.0.8 unknown,127.64.0.12 unknown,127.64.0.5 warn," "$WORST"
check_match "DOM: a failing address with its flag and the flag's level" \
  '<tr><td class="k">127.64.0.3</td><td><span class="sw v3"></span>fail</td><td class="fl"><a class="flag" href="#meaning-PTR_NO_FORWARD" title="[^"]+">PTR_NO_FORWARD<span class="lv lv3">fail</span></a>' "$DOM"
check_match "DOM: a warn flag shows level warn" 'MULTI_PTR<span class="lv lv1">warn</span></a>' "$DOM"
check_match "DOM: an unknown flag shows level unknown" 'PTR_TEMPERROR<span class="lv lv2">unknown</span></a>' "$DOM"
check_match "DOM: flag table: NO_PTR, level fail, 2 rows, meaning" \
  '<tr id="meaning-NO_PTR"><td>NO_PTR</td><td class="level"><span class="lv lv3">fail</span></td><td class="n" id="flag-NO_PTR">2</td><td class="fl">[^<]*no PTR[^<]*</td></tr>' "$DOM"
check_match "DOM: flag table: MULTI_PTR is level warn" \
  '<tr id="meaning-MULTI_PTR"><td>MULTI_PTR</td><td class="level"><span class="lv lv1">warn</span>' "$DOM"
# The customer table: beta has .5 (warn), .8 and .12 (unknown) and the
# not-an-ip row (invalid).
check_match "DOM: customer table has an invalid column" '<th class="n">ok</th><th class="n">invalid</th><th>flags</th>' "$DOM"
check_match "DOM: customer beta: 4 rows, 0 fail, 2 unknown, 1 warn, 0 ok, 1 invalid" \
  '<td class="k">beta &lt;b&gt;&amp;co</td><td class="n">4</td><td class="n">0</td><td class="n">2</td><td class="n">1</td><td class="n">0</td><td class="n inv">1</td>' "$DOM"
# A sparse scan: one /24 in each /16 -> one row of cells, 32 px high.
check_match "DOM: 127.64 map is one /24 row, 32 px high" \
  '<figure id="map-127-64"><div class="ax">↓ 127.64.0.0/24</div><img alt="verdict map of 127.64.0.0/16" width="512" height="32" style="height:32px" data-rows="1"' "$DOM"
check_match "DOM: 127.96 map is one /24 row" '<img alt="verdict map of 127.96.0.0/16" width="512" height="32" style="height:32px" data-rows="1"' "$DOM"
# The PNG itself is 256 x 1 (IHDR of the data: URI).
run python3 - page.html <<'EOF'
import base64, re, struct, sys
html = open(sys.argv[1]).read()
m = re.search(r'id="map-127-64">.*?src="data:image/png;base64,([^"]+)"', html, re.S)
png = base64.b64decode(m.group(1))
w, h = struct.unpack('>II', png[16:24])
print(f"{w}x{h}")
EOF
check "the 127.64 picture is 256x1 pixels" "256x1" "$OUT"

# --previous: a previous report made by hand from this one: 127.64.0.1 was
# ok, 127.96.0.5 failed NO_PTR, 127.64.0.2 was not in it.  So since then:
# worse 1 (.1), new_failing 1 (.2), better 1 (127.96.0.5), unchanged 70;
# before 72 targets: fail 3, unknown 2, warn 1, ok 65, invalid 1; now 73:
# fail 4, ok 65; newly failing .1 and .2, fixed 127.96.0.5.
awk -F, 'BEGIN { OFS = "," }
  $1 == "127.64.0.2" { next }
  $1 == "127.64.0.1" { $2 = "ok"; $3 = "" }
  $1 == "127.96.0.5" { $2 = "fail"; $3 = "NO_PTR" }
  { print }' a.csv > prev.csv
check "previous report: 72 rows + header" 73 "$(wc -l < prev.csv)"
check_since() { # $1: what, $2: DOM
  check_match "$1: before/now fail" '<td class="n" id="before-fail">3</td><td class="n" id="now-fail">4</td>' "$2"
  check_match "$1: before/now ok" '<td class="n" id="before-ok">65</td><td class="n" id="now-ok">65</td>' "$2"
  check_match "$1: before/now invalid" '<td class="n" id="before-invalid">1</td><td class="n" id="now-invalid">1</td>' "$2"
  check_match "$1: worse 1" 'id="kind-worse">1</td>' "$2"
  check_match "$1: new_failing 1" 'id="kind-new_failing">1</td>' "$2"
  check_match "$1: better 1" 'id="kind-better">1</td>' "$2"
  check_match "$1: unchanged 70" 'id="kind-same">70</td>' "$2"
  check_match "$1: 2 newly failing" '<span id="newly-failing-total">2</span>' "$2"
  check_match "$1: newly failing rows" '<td class="k">127.64.0.1</td><td>ok</td><td>fail</td><td class="fl">NO_PTR</td></tr>.*<td class="k">127.64.0.2</td><td><em>\(new\)</em></td><td>fail</td>' "$(tr -d '\n' <<<"$2")"
  check_match "$1: 1 fixed" '<span id="fixed-total">1</span>' "$2"
  check_match "$1: fixed row" '<td class="k">127.96.0.5</td><td>fail</td><td>ok</td>' "$2"
}
run "$PTRAUDIT" summary --by customer --html since.html --previous prev.csv s1.csv.gz s2.csv
check "summary --previous: exit 0" 0 "$RC"
browse --dump-dom "file://$SCRATCH/since.html" > since-dom.html 2> chromium-since.log
check_since "summary --previous (DOM)" "$(cat since-dom.html)"
run grep -cE '<script|<link|https?:|url\(|@import' since.html
check "page with --previous: still no script and no external reference" 0 "$OUT"
# The scan's own --html with --previous: the same run again, compared
# with the same previous report, judged with the scan's --fail-on (fail:
# exit 1 for the fail rows).
run "$PTRAUDIT" "${R[@]}" --fail-on fail -i inv.csv -o again.csv --html again.html --previous prev.csv
check "scan --html --previous: exit 1 (fail rows)" 1 "$RC"
browse --dump-dom "file://$SCRATCH/again.html" > again-dom.html 2> chromium-again.log
check_since "scan --previous (DOM)" "$(cat again-dom.html)"
# with --fail-on never nothing is failing: no newly failing, no fixed
run "$PTRAUDIT" "${R[@]}" -i inv.csv -o never.csv --html never.html --previous prev.csv
check "scan --fail-on never --previous: exit 0" 0 "$RC"
check_match "scan --fail-on never: the changes are still counted" 'id="kind-worse">1</td>' "$(cat never.html)"
check_match "scan --fail-on never: none newly failing" '<span id="newly-failing-total">0</span>' "$(cat never.html)"
run "$PTRAUDIT" summary --previous prev.csv a.csv
check "summary --previous without --html: exit 2" 2 "$RC"
run bash -c "cat a.csv | '$PTRAUDIT' summary --html x.html --previous prev.csv -"
check "summary --previous with stdin: exit 2" 2 "$RC"
run "$PTRAUDIT" summary --html x.html --previous missing.csv a.csv
check "summary --previous missing: exit 2" 2 "$RC"
check_match "summary --previous missing: named" "missing\.csv" "$ERR"
run "$PTRAUDIT" "${R[@]}" -o - --html x.html --previous prev.csv 127.64.0.0
check "scan --previous with -o -: exit 2" 2 "$RC"
check_match "scan --previous with -o -: says why" "give -o FILE" "$ERR"
run "$PTRAUDIT" "${R[@]}" -o y.csv --previous prev.csv 127.64.0.0
check "scan --previous without --html: exit 2" 2 "$RC"
run "$PTRAUDIT" "${R[@]}" -o prev.csv --force --html y.html --previous prev.csv 127.64.0.0
check "scan --previous = -o: exit 2 (an input is never overwritten)" 2 "$RC"
check "previous report untouched" 73 "$(wc -l < prev.csv)"

# Screenshot of a page with a full /24 of mixed verdicts (127.64.1.0/24:
# the DNS scenario changes with every address) added as a third report.
run "$PTRAUDIT" "${R[@]}" -o b.csv.gz 127.64.1.0/24
check "audit of 127.64.1.0/24: exit 0" 0 "$RC"
run "$PTRAUDIT" summary --top 2 --by customer --html shot.html s1.csv.gz s2.csv b.csv.gz
check "summary --html of three reports: exit 0" 0 "$RC"
check_match "three reports: 329 rows" "^rows: 329," "$OUT"
check_match "report without the --by column: warned" "b.csv.gz has no column 'customer'" "$ERR"
check_match "report without the --by column: rows grouped as (empty)" $'\n  \\(empty\\) +256 ' "$OUT"
browse --screenshot="$SCRATCH/shot.png" --window-size=1200,1600 "file://$SCRATCH/shot.html" \
  > chromium-shot.log 2>&1
[ -s shot.png ] && ok "screenshot written" || not_ok "screenshot written" "$(tail -3 chromium-shot.log)"

# Decode the screenshot (PNG, 8-bit RGB/RGBA, filters 0-4) and look for the
# grid: a pixel row with many changes between the verdict colours.
run python3 - shot.png <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, t = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if t == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    elif t == b'IDAT': idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
colours = set()
for y in range(0, h, 4):
    r = rows[y]
    for x in range(0, w, 4): colours.add(r[x * bpp:x * bpp + 3])
palette = {'fail': (0xd6, 0x27, 0x28), 'ok': (0x2c, 0xa0, 0x2c),
           'warn': (0xf0, 0xa3, 0x0a), 'unknown': (0x7d, 0x93, 0xb2)}
def name(px):
    for k, v in palette.items():
        if all(abs(px[j] - v[j]) <= 8 for j in range(3)): return k
    return None
best, best_y, best_names = 0, -1, set()
for y in range(h):
    r = rows[y]; last = None; changes = 0; names = set()
    for x in range(w):
        k = name(r[x * bpp:x * bpp + 3])
        if k: names.add(k)
        if k and last and k != last: changes += 1
        if k: last = k
    if changes > best: best, best_y, best_names = changes, y, names
print(w, h, len(colours), best, best_y, ' '.join(sorted(best_names)))
EOF
read -r sw sh ncol changes gy gnames <<< "$OUT"
check "screenshot decodes" 0 "$RC"
check "screenshot is 1200x1600" "1200x1600" "${sw}x${sh}"
check "screenshot is not blank (${ncol} colours sampled)" 1 "$(( ${ncol:-0} >= 10 ))"
check "screenshot shows the grid (${changes} verdict-colour changes in row ${gy})" 1 \
  "$(( ${changes:-0} >= 100 ))"
check_match "grid row has fail and ok cells" "fail.*ok" "${gnames:-}"

finish
