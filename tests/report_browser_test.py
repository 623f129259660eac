#!/usr/bin/env python3
"""The HTML report in a real browser: Debian's headless Chromium.

usage: report_browser_test.py HTTPSBENCH SOURCE_DIR WORK_DIR
Writes the report of tests/data/report-small.json to WORK_DIR/page/, then
1. --dump-dom: the page's own script (run at the load event) checked that
   every figure decoded to a non-empty image and that no error happened;
   it writes "hb-check ok: N of N figures rendered" into #hb-check;
2. --screenshot: WORK_DIR/page/screenshot.png (kept as the test's
   artifact) must not be blank: many distinct colours.
No Chromium is a failure, not a skip (scripts/test installs it).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HB, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def browse(exe, args, timeout=180):
    """Runs Chromium with a fresh, empty profile; (rc, stdout, stderr)."""
    prof = tempfile.mkdtemp(prefix="hbchrome.")
    try:
        p = subprocess.run([exe] + FLAGS + ["--user-data-dir=" + prof] +
                           args, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(prof, ignore_errors=True)


def png_colours(path, limit=64):
    """Distinct RGB(A) pixel values of an 8-bit RGB/RGBA PNG, up to
    limit (enough to tell a page from a blank one)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    if depth != 8 or ctype not in (2, 6):
        return 0
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    seen = set()
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        prev = line
        if y % 7 == 0:  # a sample of rows is plenty
            for x in range(0, stride, bpp * 3):
                seen.add(bytes(line[x:x + bpp]))
            if len(seen) >= limit:
                break
    return len(seen)


def main():
    fails = []
    exe = chromium()
    if not exe:
        print("FAIL: chromium is not installed (apt-get install chromium; "
              "scripts/test installs it)")
        print("0 passed, 1 failed")
        return 1
    out = os.path.join(WORK, "page")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    p = subprocess.run([HB, "report", os.path.join(
        SRC, "tests", "data", "report-small.json"), "--out", out],
        capture_output=True, text=True, timeout=300)
    page = os.path.join(out, "report.html")
    if p.returncode != 0 or not os.path.exists(page):
        print("FAIL: httpsbench report exited %d: %s" % (p.returncode,
                                                          p.stderr))
        print("0 passed, 1 failed")
        return 1
    want = int(re.search(r'data-figures="(\d+)"', open(page).read())
               .group(1))
    url = "file://" + os.path.abspath(page)

    rc, dom, err = browse(exe, ["--dump-dom", url])
    m = re.search(r'<p id="hb-check" data-state="(\w+)"[^>]*>([^<]*)<', dom)
    if rc != 0 or not m:
        fails.append("chromium --dump-dom exited %d, no #hb-check (%s)"
                     % (rc, err.strip().splitlines()[-1:] if err else ""))
    elif m.group(1) != "ok" or \
            "%d of %d figures rendered" % (want, want) not in m.group(2):
        fails.append("the page's check says: %s" % m.group(2))
    else:
        print("page check: %s" % m.group(2))
    if want < 10:
        fails.append("only %d figures in the page, want 10" % want)

    shot = os.path.join(out, "screenshot.png")
    rc, so, err = browse(exe, ["--window-size=1280,3000",
                               "--screenshot=" + shot, url])
    if rc != 0 or not os.path.exists(shot):
        fails.append("chromium --screenshot exited %d" % rc)
    else:
        n = png_colours(shot)
        if n < 16:
            fails.append("screenshot %s looks blank (%d colours)"
                         % (shot, n))
        else:
            print("screenshot: %s (%d+ colours)" % (shot, n))
    for f in fails:
        print("FAIL: %s" % f)
    print("%d passed, %d failed" % (2 - min(2, len(fails)), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
