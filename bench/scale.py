#!/usr/bin/env python3
"""End-to-end cost against cluster size: `gigapod plan` (release, every output written) on 1 to 256 scalable units
of 32 x g593-h200 on qm9700, with wall time and peak memory from /usr/bin/time. Prints a Markdown table and writes
docs/img/scale.svg (time and memory against endpoints, log-log, with a linear guide).

    python3 bench/scale.py
"""
import math
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUS = [1, 2, 4, 8, 16, 32, 64, 128, 256]


def measure(gigapod, spec, out):
    r = subprocess.run(["/usr/bin/time", "-v", gigapod, "plan", spec, "--out", out, "--force"], cwd=ROOT,
                       capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\d+):([\d.]+)", r.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(wall.group(1)) * 60 + float(wall.group(2)), int(rss.group(1)) / 1024


def chart(rows, path):
    w, h, m = 640, 360, 60
    xs = [math.log10(r[1]) for r in rows]
    ys = [math.log10(max(r[2], 1e-3)) for r in rows]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys) - 0.2, max(ys) + 0.2
    px = lambda x: m + (x - x0) / (x1 - x0) * (w - 2 * m)
    py = lambda y: h - m - (y - y0) / (y1 - y0) * (h - 2 * m)
    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    # A linear guide through the largest point: time proportional to endpoints.
    gx0, gy0 = xs[-1], ys[-1]
    guide = f"{px(x0):.1f},{py(gy0 - (gx0 - x0)):.1f} {px(gx0):.1f},{py(gy0):.1f}"
    labels = "".join(
        f'<text x="{px(x):.1f}" y="{h - m + 18}" text-anchor="middle" font-size="11">{r[1]:,}</text>'
        for x, r in zip(xs, rows))
    ylabels = "".join(
        f'<text x="{m - 6}" y="{py(y) + 4:.1f}" text-anchor="end" font-size="11">{r[2]:.2f} s</text>'
        for y, r in zip(ys, rows) if r is rows[0] or r is rows[-1])
    svg = f'''<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="DejaVu Sans, sans-serif">
<rect width="{w}" height="{h}" fill="white"/>
<text x="{w / 2}" y="24" text-anchor="middle" font-size="14">gigapod plan: wall time against endpoints (log-log)</text>
<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" stroke="#444"/>
<line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" stroke="#444"/>
<polyline points="{guide}" fill="none" stroke="#bbb" stroke-dasharray="5,4"/>
<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>
{"".join(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="#1f77b4"/>' for x, y in zip(xs, ys))}
{labels}{ylabels}
<text x="{w / 2}" y="{h - 16}" text-anchor="middle" font-size="12">endpoints (server NIC ports)</text>
<text x="{w - m}" y="{m + 12}" text-anchor="end" font-size="11" fill="#888">dashed: proportional to endpoints</text>
</svg>
'''
    with open(path, "w") as f:
        f.write(svg)


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "gigapod"], cwd=ROOT, check=True)
    gigapod = os.path.join(ROOT, "target", "release", "gigapod")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for sus in SUS:
            spec = os.path.join(tmp, f"su{sus}.toml")
            with open(spec, "w") as f:
                f.write(f'name = "su{sus}"\n[compute]\nserver = "g593-h200"\nscalable_units = {sus}\n')
            best = min(measure(gigapod, spec, os.path.join(tmp, "out")) for _ in range(3 if sus <= 64 else 1))
            rows.append((sus, sus * 256, best[0], best[1]))
    print("| SUs | endpoints | wall | peak RSS | us per endpoint |")
    print("|----:|----------:|-----:|---------:|----------------:|")
    for sus, e, t, mb in rows:
        print(f"| {sus} | {e:,} | {t:.2f} s | {mb:.0f} MB | {t / e * 1e6:.1f} |")
    os.makedirs(os.path.join(ROOT, "docs", "img"), exist_ok=True)
    chart(rows, os.path.join(ROOT, "docs", "img", "scale.svg"))


if __name__ == "__main__":
    main()
