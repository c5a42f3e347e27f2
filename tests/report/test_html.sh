#!/bin/sh
# memtrack-tui --html in a real browser: headless Chromium (Debian's
# chromium package) renders the page, whose Content-Security-Policy forbids
# any script and any load, to a PNG, and a
# copy of the page with a measuring script appended gives, through
# --dump-dom, the box of every chart.  tests/report/pixels.py then checks
# in the PNG that each chart is drawn: its series' colour (the RSS line,
# the VMS line, the class bands and shares, the marker lines) covers
# enough pixels inside its box, and the page outside the charts has none
# of the RSS blue.  Skipped (77) without chromium or python3.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"
S="$MEMTRACK_SRCDIR/tests/batch/series"
PY=${MEMTRACK_PYTHON:-python3}
CHROMIUM=${MEMTRACK_CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$c
			break
		fi
	done
fi
if [ -z "$CHROMIUM" ]; then
	echo "test_html.sh: no chromium (apt-get install chromium), skipped"
	exit 77
fi
command -v "$PY" >/dev/null 2>&1 || {
	echo "test_html.sh: no $PY, skipped"
	exit 77
}

# chrome ARGS...: headless, no sandbox (root in containers), one device
# pixel per CSS pixel, its own profile; a hang is a failure, not a stuck
# test.
chrome() {
	HOME="$T" timeout 120 "$CHROMIUM" --headless --no-sandbox \
		--disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
		--no-first-run --user-data-dir="$T/profile" "$@" 2>>"$T/chrome.err"
}

run --html "$T/r.html" "$S/tracker.stats" "$S/proc.jsonl" "$S/app.jsonl"
[ "$rc" -eq 0 ] || { fail "--html: status $rc: $(cat "$T/err")"; finish; }

# The boxes: the page plus a script that writes them after the load.
{
	sed -e 's#</body></html>##' -e '/Content-Security-Policy/d' "$T/r.html"
	cat <<'EOF'
<script>
var out = {height: document.documentElement.scrollHeight, charts: []};
document.querySelectorAll("svg.chart").forEach(function (s) {
	var r = s.getBoundingClientRect();
	out.charts.push({id: s.id, x: r.left + window.scrollX,
		y: r.top + window.scrollY, w: r.width, h: r.height});
});
var p = document.createElement("pre");
p.id = "boxes";
p.textContent = "BO" + "XES" + JSON.stringify(out) + "BO" + "XES";
document.body.appendChild(p);
</script></body></html>
EOF
} >"$T/measure.html"
chrome --window-size=1200,900 --dump-dom "file://$T/measure.html" >"$T/dom.html"
sed -n 's/.*BOXES\(.*\)BOXES.*/\1/p' "$T/dom.html" >"$T/boxes.json"
[ -s "$T/boxes.json" ] || {
	fail "no boxes from --dump-dom: $(tail -5 "$T/chrome.err")"
	finish
}
height=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["height"]) + 20)' "$T/boxes.json")

# The picture of the page itself, under its own policy (no script, no load).
grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$T/r.html" ||
	fail "the page does not forbid scripts and loads"
chrome --window-size=1200,"$height" \
	--screenshot="$T/page.png" "file://$T/r.html" >/dev/null
[ -s "$T/page.png" ] || {
	fail "no screenshot: $(tail -5 "$T/chrome.err")"
	finish
}
"$PY" "$MEMTRACK_SRCDIR/tests/report/pixels.py" "$T/page.png" "$T/boxes.json" ||
	fail "charts not drawn (tests/report/pixels.py above)"
if [ -n "${MEMTRACK_KEEP_PNG:-}" ]; then
	cp "$T/page.png" "$MEMTRACK_KEEP_PNG"
fi
finish
