#!/usr/bin/env python3
"""Issue 19's scale benchmarks: `gigapod plan` (release, every output written) on multi-plane and multi-hall plans,
with wall time, CPU time and peak memory from /usr/bin/time -v, the largest output file and the load average
before each run (the machine is shared: CPU time is the figure that does not depend on the others' load).

- G593-H200 on QM9700 with `fabric.planes = "per-rail"` (8 planes), 256 to 2,048 SUs of 32 (65,536 servers,
  524,288 GPUs), halls of at most 2,000 racks;
- DGX B300 on Q3400-RA (one plane), 162 to 1,296 SUs of 72 (93,312 servers, 746,496 endpoints), halls of at most
  2,000 racks, 60 kW racks.

Both with `storage.fabric = "none"`, as measured since issue 19 (comparable figures). The H200 size builds with its
storage fabric too (44.9 s, 4.0 GB, 2026-12-01); the 93,312 DGX B300 do not: a QM9700 storage plane takes at most
73,728 nodes (docs/networks.md, "Storage planes").

    python3 bench/planes_halls.py            # every size
    python3 bench/planes_halls.py --largest  # the two done-means sizes only

Prints a Markdown table (docs/performance.md, "Planes and halls").
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

H200 = """name = "h200-{sus}"
[compute]
server = "g593-h200"
scalable_units = {sus}
[fabric]
switch = "qm9700"
planes = "per-rail"
[facility]
hall_racks = 2000
[storage]
fabric = "none"
"""

B300 = """name = "b300-{sus}"
[compute]
server = "dgx-b300"
scalable_units = {sus}
[fabric]
switch = "q3400-ra"
[facility]
cooling = "air"
rack = "rack-48u"
rack_power_limit_kw = 60.0
hall_racks = 2000
[storage]
fabric = "none"
"""


def measure(gigapod, spec, out):
    load = os.getloadavg()[0]
    r = subprocess.run(["nice", "-n", "10", "/usr/bin/time", "-v", gigapod, "plan", spec, "--out", out, "--force"],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{spec}: exit {r.returncode}\n{r.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    h, m, s = wall.groups()
    wall_s = int(h or 0) * 3600 + int(m) * 60 + float(s)
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", r.stderr).group(1))
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", r.stderr).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if not f.startswith(".")}
    biggest = max(sizes, key=sizes.get)
    halls = re.search(r"halls\s+(\d+) halls", r.stdout)
    return dict(load=load, wall=wall_s, cpu=user + sys_, rss=rss, total=sum(sizes.values()),
                biggest=biggest, biggest_mb=sizes[biggest] / 1e6, html_mb=sizes.get("report.html", 0) / 1e6,
                halls=int(halls.group(1)) if halls else 1)


def main():
    largest = "--largest" in sys.argv
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "gigapod"], cwd=ROOT, check=True)
    gigapod = os.path.join(ROOT, "target", "release", "gigapod")
    cases = [("g593-h200 per-rail", H200, s, s * 32 * 8) for s in ([2048] if largest else [256, 512, 1024, 2048])]
    cases += [("dgx-b300 q3400-ra", B300, s, s * 72 * 8) for s in ([1296] if largest else [162, 324, 648, 1296])]
    print("| design | SUs | endpoints | halls | load before | wall | CPU (user+sys) | peak RSS | outputs | largest file | report.html |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, template, sus, endpoints in cases:
            spec = os.path.join(tmp, "spec.toml")
            with open(spec, "w") as f:
                f.write(template.format(sus=sus))
            m = measure(gigapod, spec, os.path.join(tmp, "out"))
            print(f"| {name} | {sus:,} | {endpoints:,} | {m['halls']} | {m['load']:.1f} | {m['wall']:.1f} s | "
                  f"{m['cpu']:.1f} s | {m['rss']:,.0f} MB | {m['total'] / 1e6:,.0f} MB | {m['biggest']} "
                  f"{m['biggest_mb']:,.0f} MB | {m['html_mb']:.1f} MB |", flush=True)


if __name__ == "__main__":
    main()
