#!/usr/bin/env python3
"""render_check.py - renders joulemark HTML reports in headless Chromium and
checks that the charts exist in the rendered DOM (issue 5).

Usage:
  tests/reports/render_check.py --binary BUILD/harness/joulemark [REPORT.html ...]

Without REPORT.html arguments it copies tests/reports/data/sample-results to a
temporary directory, rebuilds report.html there with `joulemark report`, writes
a comparison page with `joulemark compare`, and checks both. Needs Debian's
`chromium` package (python3 standard library only otherwise).
Exit status: 0 all checks passed, 1 a check failed, 2 usage or missing tool.
"""
import argparse
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "data", "sample-results")


class Dom(html.parser.HTMLParser):
    """Collects elements (tag, attributes, text) of the serialized DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": [p["attrs"].get("id") for p in self.stack]}
        self.elems.append(e)
        if tag not in ("meta", "br", "line", "rect", "polyline", "path", "img", "input"):
            self.stack.append(e)

    def handle_startendtag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": [p["attrs"].get("id") for p in self.stack]}
        self.elems.append(e)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1]["text"] += data


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(chromium, page, workdir):
    url = "file://" + os.path.abspath(page)
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(workdir, "profile")]
    dom = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=180)
    if dom.returncode != 0 or "<svg" not in dom.stdout:
        raise RuntimeError("chromium --dump-dom failed (%d): %s" % (dom.returncode, dom.stderr[-2000:]))
    shot = os.path.join(workdir, os.path.basename(page) + ".png")
    subprocess.run(base + ["--screenshot=" + shot, "--window-size=1280,4000", url],
                   capture_output=True, text=True, timeout=180)
    return dom.stdout, shot


def by_id(elems, ident):
    return [e for e in elems if e["attrs"].get("id") == ident]


def inside(elems, ident, tag=None, cls=None):
    out = []
    for e in elems:
        if ident not in e["parents"]:
            continue
        if tag and e["tag"] != tag:
            continue
        if cls and cls not in (e["attrs"].get("class") or "").split():
            continue
        out.append(e)
    return out


def check_report(elems, failures, name):
    def need(cond, msg):
        if not cond:
            failures.append("%s: %s" % (name, msg))

    for chart in ("chart-power", "chart-mj-per-token", "chart-tokens-per-j"):
        found = by_id(elems, chart)
        need(len(found) == 1 and found[0]["tag"] == "svg", "no rendered <svg id=%s>" % chart)
    rows = inside(elems, "summary-table", tag="tr")
    n_workloads = len(rows) - 1
    need(n_workloads >= 1, "summary table has no workload rows")
    bars = inside(elems, "chart-mj-per-token", tag="rect", cls="bar-fill")
    need(len(bars) == n_workloads, "%d energy bars for %d workloads" % (len(bars), n_workloads))
    need(all(float(b["attrs"].get("width", "0")) > 0 for b in bars), "an energy bar has no width")
    need(len(inside(elems, "chart-mj-per-token", tag="line", cls="whisker")) == n_workloads,
         "CI whiskers missing")
    need(len(inside(elems, "chart-tokens-per-j", tag="rect", cls="bar-fill")) == n_workloads,
         "tokens/J bars missing")
    series = inside(elems, "chart-power", tag="polyline", cls="series")
    need(len(series) >= 1, "power chart has no series")
    need(any(len(s["attrs"].get("points", "").split()) > 1 for s in series),
         "power series have no points")
    need(len(inside(elems, "chart-power", tag="rect", cls="phase")) >= 1, "no shaded phases")
    if by_id(elems, "comparison-0"):
        need(len(by_id(elems, "chart-ratio")) == 1, "comparison without the ratio chart")
        need(len(inside(elems, "chart-ratio", tag="rect", cls="bar-fill")) >= 1, "no ratio bar")
    need(len(inside(elems, "carbon-table", tag="td", cls="co2e")) >= n_workloads, "no CO2e cells")
    need(len(inside(elems, "meters-table", tag="tr")) >= 2, "meters table is empty")
    estimated = any("kind-estimated" in (e["attrs"].get("class") or "") for e in elems)
    if estimated:
        need(len(by_id(elems, "estimated-banner")) == 1, "estimated figures without the banner")


def check_compare(elems, failures, name):
    found = by_id(elems, "chart-compare-mj-per-token")
    if len(found) != 1 or found[0]["tag"] != "svg":
        failures.append("%s: no rendered <svg id=chart-compare-mj-per-token>" % name)
    elif not inside(elems, "chart-compare-mj-per-token", tag="rect", cls="bar-fill"):
        failures.append("%s: comparison chart has no bars" % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="the joulemark binary (to build pages from the sample)")
    ap.add_argument("pages", nargs="*", help="report.html or compare HTML files to check")
    args = ap.parse_args()
    chromium = find_chromium()
    if not chromium:
        print("render_check: chromium not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="jm_render_")
    try:
        pages = list(args.pages)
        if not pages:
            if not args.binary or not os.access(args.binary, os.X_OK):
                print("render_check: give --binary PATH/joulemark or report files", file=sys.stderr)
                return 2
            a, b = os.path.join(work, "a"), os.path.join(work, "b")
            shutil.copytree(SAMPLE, a)
            shutil.copytree(SAMPLE, b)
            for d in (a, b):
                subprocess.run([args.binary, "report", "-q", d], check=True, timeout=120)
            cmp_page = os.path.join(work, "compare.html")
            subprocess.run([args.binary, "compare", a, b, "-o", cmp_page], check=True,
                           timeout=120, stdout=subprocess.DEVNULL)
            pages = [os.path.join(a, "report.html"), cmp_page]
        failures = []
        for page in pages:
            dom_text, shot = render(chromium, page, work)
            parser = Dom()
            parser.feed(dom_text)
            if by_id(parser.elems, "chart-compare-mj-per-token"):
                check_compare(parser.elems, failures, page)
            else:
                check_report(parser.elems, failures, page)
            if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
                failures.append("%s: screenshot missing or blank" % page)
            print("render_check: %s: %d elements rendered" % (page, len(parser.elems)))
        for f in failures:
            print("render_check: FAIL " + f, file=sys.stderr)
        if not failures:
            print("render_check: OK (%d pages)" % len(pages))
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
