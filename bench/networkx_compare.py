#!/usr/bin/env python3
"""Compare one bisection max-flow in gigapod with networkx on the same graph and the same cut.

For each spec: `gigapod export --graphml` writes the fabric; networkx reads it, adds a source joined to every
endpoint of the first half of the servers and a sink joined from the rest (capacity = the link speed), merges
parallel links into one arc of summed capacity in each direction, and runs `maximum_flow_value`. gigapod's
`maxflow` example times the same cut with its own Dinic (network construction included). Both flows must agree.

    python3 bench/networkx_compare.py [SPEC.toml ...]      (default: 1, 8, 64 and 256 SUs of g593-h200 on qm9700)

Needs networkx (pip install networkx). Prints a table with both times and their ratio.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import networkx as nx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def spec_for(sus, folder):
    path = os.path.join(folder, f"su{sus}.toml")
    with open(path, "w") as f:
        f.write(f'name = "su{sus}"\n[compute]\nserver = "g593-h200"\nscalable_units = {sus}\n')
    return path


def networkx_flow(graphml, repeats):
    g = nx.read_graphml(graphml)
    servers = max(int(d["server"]) for _, d in g.nodes(data=True) if d.get("role") == "endpoint")
    half = servers // 2
    d = nx.DiGraph()
    for u, v, data in g.edges(data=True):
        c = int(data["capacity_gbps"])
        for x, y in ((u, v), (v, u)):
            if d.has_edge(x, y):
                d[x][y]["capacity"] += c
            else:
                d.add_edge(x, y, capacity=c)
    speed = int(g.graph["port_speed_gbps"])
    for n, data in g.nodes(data=True):
        if data.get("role") != "endpoint":
            continue
        # Exported server numbers are 1-based.
        if int(data["server"]) <= half:
            d.add_edge("source", n, capacity=speed)
        else:
            d.add_edge(n, "sink", capacity=speed)
    times = []
    flow = None
    for _ in range(repeats):
        t = time.perf_counter()
        flow = nx.maximum_flow_value(d, "source", "sink")
        times.append((time.perf_counter() - t) * 1e3)
    return flow, statistics.median(times), d.number_of_nodes(), d.number_of_edges()


def main():
    run(["cargo", "build", "--release", "-q", "--bin", "gigapod", "--example", "maxflow", "-p", "gigapod", "-p",
         "gigapod-planner"])
    gigapod = os.path.join(ROOT, "target", "release", "gigapod")
    maxflow = os.path.join(ROOT, "target", "release", "examples", "maxflow")
    with tempfile.TemporaryDirectory() as tmp:
        specs = sys.argv[1:] or [spec_for(s, tmp) for s in (1, 8, 64, 256)]
        print(f"{'spec':<28} {'endpoints':>9} {'nx nodes':>9} {'nx arcs':>9} {'networkx ms':>12} "
              f"{'gigapod ms':>11} {'ratio':>8}")
        for spec in specs:
            graphml = os.path.join(tmp, "fabric.graphml")
            run([gigapod, "export", spec, "--graphml", graphml, "--force"])
            ours = json.loads(run([maxflow, spec, "7"]))
            repeats = 3 if ours["endpoints"] <= 20000 else 1
            flow, nx_ms, nodes, arcs = networkx_flow(graphml, repeats)
            if flow != ours["flow_gbps"]:
                sys.exit(f"{spec}: networkx {flow} Gb/s, gigapod {ours['flow_gbps']} Gb/s: the flows differ")
            print(f"{os.path.basename(spec):<28} {ours['endpoints']:>9} {nodes:>9} {arcs:>9} {nx_ms:>12.1f} "
                  f"{ours['median_ms']:>11.3f} {nx_ms / max(ours['median_ms'], 1e-6):>7.0f}x")


if __name__ == "__main__":
    main()
