"""Checks a screenshot of memtrack-tui --html's page (tests/report/test_html.sh).

Usage: pixels.py PAGE.png BOXES.json

BOXES.json holds each chart's box on the page (CSS pixels, one device
pixel each).  Every chart must show its series' colour on enough pixels
inside its box; outside the boxes the RSS blue must be (nearly) absent,
so a page whose charts moved or vanished fails.  The PNG decoder below
reads what Chromium writes (8-bit RGB or RGBA, not interlaced): no
imaging library needed.
"""
import json
import struct
import sys
import zlib

RSS = (0x1F, 0x77, 0xB4)
VMS = (0xFF, 0x7F, 0x0E)
LABEL = (0xD6, 0x27, 0x28)
DUMP = (0x2C, 0xA0, 0x2C)


def blend(c, a):
    """c at opacity a over white."""
    return tuple(round(a * v + (1 - a) * 255) for v in c)


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat = 8, []
    width = height = channels = None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(
                ">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit("%s: unsupported PNG (depth %d, colour "
                                 "type %d, interlace %d)"
                                 % (path, depth, ctype, interlace))
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        base = y * (stride + 1)
        ftype = raw[base]
        line = bytearray(raw[base + 1:base + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    width, height, ch, rows = read_png(sys.argv[1])
    boxes = json.load(open(sys.argv[2]))["charts"]

    def count(box, colour, tol=40):
        x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
        x1 = min(width, int(box["x"] + box["w"]))
        y1 = min(height, int(box["y"] + box["h"]))
        n = 0
        for y in range(y0, y1):
            r = rows[y]
            for x in range(x0, x1):
                i = x * ch
                if (abs(r[i] - colour[0]) + abs(r[i + 1] - colour[1])
                        + abs(r[i + 2] - colour[2])) <= tol:
                    n += 1
        return n

    # id prefix -> [(what, colour, least pixels)]
    want = {
        "rss-": [("the RSS line", RSS, 800)],
        "vms-": [("the VMS line", VMS, 800)],
        "snaprss-": [("the RSS line", RSS, 300)],
        "classes-": [("the first class's band", blend(RSS, 0.8), 3000),
                     ("the second class's band", blend(VMS, 0.8), 300)],
        "distribution-": [("the first class's shares", RSS, 2000)],
    }
    marks = {"rss-1": [("the label line", LABEL, 60),
                       ("the dump line", DUMP, 60)],
             "rss-2": [("the label lines", LABEL, 120),
                       ("the dump lines", DUMP, 120)]}
    failures = 0
    seen = set()
    for box in boxes:
        cid = box["id"]
        seen.add(cid)
        if box["w"] < 300 or box["h"] < 60:
            print("pixels: %s: box %dx%d, too small" % (cid, box["w"],
                                                      box["h"]))
            failures += 1
            continue
        checks = list(marks.get(cid, []))
        for prefix, c in want.items():
            if cid.startswith(prefix):
                checks += c
        if cid.startswith("class-"):
            # a class's line, in one of the band colours
            checks.append(("its line", None, 300))
        for what, colour, least in checks:
            if colour is None:
                n = max(count(box, c) for c in (RSS, VMS, (0x2C, 0xA0, 0x2C)))
            else:
                n = count(box, colour)
            status = "ok" if n >= least else "FAIL"
            print("pixels: %-16s %-26s %6d pixels (at least %d) %s"
                  % (cid, what, n, least, status))
            if n < least:
                failures += 1
    for cid in ("classes-0", "distribution-0", "class-0-0", "class-0-1",
                "class-0-2", "snaprss-0", "rss-1", "vms-1", "rss-2",
                "vms-2"):
        if cid not in seen:
            print("pixels: no chart %s on the page" % cid)
            failures += 1
    # Outside the charts: no RSS blue (the charts are where they say).
    inside = [(int(b["x"]), int(b["y"]), int(b["x"] + b["w"]),
               int(b["y"] + b["h"])) for b in boxes]
    stray = 0
    for y in range(height):
        r = rows[y]
        for x in range(width):
            i = x * ch
            if (abs(r[i] - RSS[0]) + abs(r[i + 1] - RSS[1])
                    + abs(r[i + 2] - RSS[2])) > 40:
                continue
            if not any(x0 <= x < x1 and y0 <= y < y1
                       for x0, y0, x1, y1 in inside):
                stray += 1
    print("pixels: RSS blue outside the charts: %d pixels (at most 50)"
          % stray)
    if stray > 50:
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
