#!/usr/bin/env python3
"""Load a gigapod plan's netbox-*.csv files into NetBox through its REST API, in batches, with retries and
progress, and update in place on a re-import.

    scripts/netbox-push.py --url http://netbox.example:8000 --token TOKEN PLAN-FOLDER [--batch 500]

NetBox's bulk-import page runs one web request per file, which the stock worker timeout (120 s) cuts short for a
large plan (a 64-SU plan has ~50,000 interfaces); NetBox's docs advise the REST API for large sets. This script
reads the same CSVs that the import page takes, in the same order (planner/src/render/netbox.rs, FILES), and for
each row finds the existing object by its natural key (a site by name, a rack by site and name, a device by
name, an interface by device and name, a cable by its A-side termination, ...):

- none: it is created (POST of up to --batch objects at a time);
- one that differs: it is updated (PATCH of the changed fields, in batches);
- one that is the same: nothing is sent.

So a second run of the same plan changes nothing, and a changed plan updates in place. Manufacturers, roles and
device types that exist with the same slug (e.g. from the community device-type library) are reused as they are,
never changed. Reads that fail with a connection error, 429 or 5xx are retried with back-off (--retries); a write whose answer
is lost (a timeout: NetBox may have done it all the same) is not resent blindly: the file is looked at again and
only what is still missing or different is sent.
Standard library only (Python 3.8+). Token: NetBox 4.5+ v2 tokens (`nbt_...`) are sent as Bearer, older ones as
`Token`. Exit status: 0 when every row was created, updated or unchanged; 1 when NetBox refused any row (each
refusal is printed with its file, row and NetBox's message); 2 for bad arguments.
"""

import argparse
import csv
import re
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ORDER = [
    "netbox-sites.csv",
    "netbox-locations.csv",
    "netbox-manufacturers.csv",
    "netbox-device-roles.csv",
    "netbox-rack-roles.csv",
    "netbox-device-types.csv",
    "netbox-racks.csv",
    "netbox-power-panels.csv",
    "netbox-power-feeds.csv",
    "netbox-devices.csv",
    "netbox-power-ports.csv",
    "netbox-power-outlets.csv",
    "netbox-interfaces.csv",
    "netbox-inventory-items.csv",
    "netbox-cables.csv",
    "netbox-power-cables.csv",
]


class Api:
    def __init__(self, url, token, retries, batch):
        self.base = url.rstrip("/") + "/api/"
        scheme = "Bearer" if token.startswith("nbt_") else "Token"
        self.headers = {
            "Authorization": f"{scheme} {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.retries = retries
        self.batch = batch

    def call(self, method, path, body=None, params=None):
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        delay = 1.0
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=self.headers)
            try:
                with urllib.request.urlopen(req, timeout=300) as r:
                    text = r.read()
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as e:
                text = e.read().decode(errors="replace")
                if e.code in (429, 500, 502, 503, 504) and attempt < self.retries:
                    print(f"  {method} {path}: HTTP {e.code}, retrying in {delay:.0f} s", file=sys.stderr)
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise Refused(e.code, text)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if method != "GET":
                    # The server may have done it all the same: the caller looks again before resending.
                    raise Lost(f"{method} {path}: {e}")
                if attempt < self.retries:
                    print(f"  {method} {path}: {e}, retrying in {delay:.0f} s", file=sys.stderr)
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise

    def all(self, path, params=None):
        """Every object of an endpoint (paginated)."""
        params = dict(params or {})
        params["limit"] = 1000
        params["offset"] = 0
        out = []
        while True:
            page = self.call("GET", path, params=params)
            out.extend(page["results"])
            if not page.get("next"):
                return out
            params["offset"] += 1000


class Lost(Exception):
    """A write whose answer never came (timeout, dropped connection): it may or may not have been done."""


class Refused(Exception):
    def __init__(self, code, text):
        super().__init__(f"HTTP {code}: {text[:2000]}")
        self.code = code
        self.text = text


def ref_id(v):
    if isinstance(v, dict):
        if "id" in v:
            return v["id"]
        if "value" in v:
            return v["value"]
    return v


def same(a, b):
    a, b = ref_id(a), ref_id(b)
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            return abs(float(a) - float(b)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def typed(field, v):
    """A CSV cell as the REST API wants it."""
    if v == "":
        return None
    if v in ("true", "false"):
        return v == "true"
    if field in ("u_height", "width", "outer_width", "outer_depth", "max_weight", "voltage", "amperage",
                 "max_utilization", "speed", "maximum_draw", "allocated_draw"):
        return int(float(v))
    if field in ("weight", "length", "position"):
        return float(v)
    return v


# Number fields that a blank cell clears on an update.
NULLABLE = {"maximum_draw", "allocated_draw", "position", "length", "weight", "speed"}


class Loader:
    def __init__(self, api, folder):
        self.api = api
        self.folder = folder
        self.refused = 0
        self.cache = {}

    def index(self, path, key, params=None):
        """Existing objects of an endpoint by key(obj), fetched once."""
        name = (path, json.dumps(params, sort_keys=True))
        if name not in self.cache:
            objs = self.api.all(path, params)
            self.cache[name] = {key(o): o for o in objs}
        return self.cache[name]

    def forget(self, path):
        for k in list(self.cache):
            if k[0] == path:
                del self.cache[k]

    def rows(self, file):
        path = os.path.join(self.folder, file)
        if not os.path.exists(path):
            # A large plan writes a file over the size cap in parts instead (docs/outputs.md, "Large plans"):
            # <stem>-H1.csv ... <stem>-between-halls.csv, and chunks of those (<stem>-H7-1.csv ...). Rows of one
            # type do not depend on each other, so any order of the parts loads.
            stem = file[: -len(".csv")]
            parts = sorted(
                n for n in os.listdir(self.folder)
                if re.fullmatch(re.escape(stem) + r"-(H\d+|between-halls|\d+)(-\d+)?\.csv", n)
            )
            out = []
            for n in parts:
                with open(os.path.join(self.folder, n), newline="", encoding="utf-8") as f:
                    out.extend(csv.DictReader(f))
            return out
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    # Lookups of referenced objects.
    def site(self, name):
        return self.index("dcim/sites/", lambda o: o["name"])[name]["id"]

    def by_slug(self, path, name_or_slug, slugify=True):
        idx = self.index(path, lambda o: o["slug"])
        s = slug(name_or_slug) if slugify else name_or_slug
        return idx[s]["id"]

    def location(self, site, name):
        return self.index("dcim/locations/", lambda o: (o["site"]["id"], o["name"]))[(self.site(site), name)]["id"]

    def rack(self, site, name):
        return self.index("dcim/racks/", lambda o: (o["site"]["id"], o["name"]))[(self.site(site), name)]["id"]

    def panel(self, site, name):
        return self.index("dcim/power-panels/", lambda o: (o["site"]["id"], o["name"]))[(self.site(site), name)]["id"]

    def device(self, name):
        return self.index("dcim/devices/", lambda o: o["name"])[name]["id"]

    def device_type(self, manufacturer, model):
        idx = self.index("dcim/device-types/", lambda o: (o["manufacturer"]["id"], o["model"]))
        return idx[(self.by_slug("dcim/manufacturers/", manufacturer), model)]["id"]

    def component(self, path, device, name):
        idx = self.index(path, lambda o: (o["device"]["id"], o["name"]))
        return idx[(self.device(device), name)]

    def feed(self, site, panel, name):
        idx = self.index("dcim/power-feeds/", lambda o: (o["power_panel"]["id"], o["name"]))
        return idx[(self.panel(site, panel), name)]

    def payload(self, file, row):
        """(endpoint, natural key, payload, match_only) of one CSV row."""
        p = {k: typed(k, v) for k, v in row.items()}
        # A blank cell clears the field on an update (NULLABLE) or is left out; a create leaves blanks out.
        p = {k: v for k, v in p.items() if v is not None or k in NULLABLE}
        if file == "netbox-sites.csv":
            return "dcim/sites/", ("name", p["name"]), p, False
        if file == "netbox-locations.csv":
            p["site"] = self.site(p["site"])
            return "dcim/locations/", ("site-name", p["site"], p["name"]), p, False
        if file == "netbox-manufacturers.csv":
            return "dcim/manufacturers/", ("slug", p["slug"]), p, True
        if file == "netbox-device-roles.csv":
            return "dcim/device-roles/", ("slug", p["slug"]), p, True
        if file == "netbox-rack-roles.csv":
            return "dcim/rack-roles/", ("slug", p["slug"]), p, True
        if file == "netbox-device-types.csv":
            p["manufacturer"] = self.by_slug("dcim/manufacturers/", p["manufacturer"])
            return "dcim/device-types/", ("slug", p["slug"]), p, True
        if file == "netbox-racks.csv":
            site = p["site"]
            p["site"] = self.site(site)
            p["location"] = self.location(site, p["location"])
            p["role"] = self.by_slug("dcim/rack-roles/", p["role"])
            return "dcim/racks/", ("site-name", p["site"], p["name"]), p, False
        if file == "netbox-power-panels.csv":
            site = p["site"]
            p["site"] = self.site(site)
            p["location"] = self.location(site, p["location"])
            return "dcim/power-panels/", ("site-name", p["site"], p["name"]), p, False
        if file == "netbox-power-feeds.csv":
            site = p.pop("site")
            p.pop("location", None)
            p["power_panel"] = self.panel(site, p["power_panel"])
            p["rack"] = self.rack(site, p["rack"])
            return "dcim/power-feeds/", ("panel-name", p["power_panel"], p["name"]), p, False
        if file == "netbox-devices.csv":
            site = p["site"]
            p["site"] = self.site(site)
            p["location"] = self.location(site, p["location"])
            p["rack"] = self.rack(site, p["rack"])
            p["role"] = self.by_slug("dcim/device-roles/", p["role"])
            p["device_type"] = self.device_type(p.pop("manufacturer"), p["device_type"])
            return "dcim/devices/", ("name", p["name"]), p, False
        if file in ("netbox-power-ports.csv", "netbox-power-outlets.csv", "netbox-interfaces.csv",
                    "netbox-inventory-items.csv"):
            path = {
                "netbox-power-ports.csv": "dcim/power-ports/",
                "netbox-power-outlets.csv": "dcim/power-outlets/",
                "netbox-interfaces.csv": "dcim/interfaces/",
                "netbox-inventory-items.csv": "dcim/inventory-items/",
            }[file]
            device = p["device"]
            p["device"] = self.device(device)
            if "power_port" in p:
                p["power_port"] = self.component("dcim/power-ports/", device, p["power_port"])["id"]
            if "manufacturer" in p:
                p["manufacturer"] = self.by_slug("dcim/manufacturers/", p["manufacturer"])
            return path, ("device-name", p["device"], p["name"]), p, False
        if file in ("netbox-cables.csv", "netbox-power-cables.csv"):
            ends = []
            for side in ("a", "b"):
                kind = p.pop(f"side_{side}_type")
                site = p.pop(f"side_{side}_site", None)
                dev = p.pop(f"side_{side}_device", None)
                panel = p.pop(f"side_{side}_power_panel", None)
                name = p.pop(f"side_{side}_name")
                if kind == "dcim.powerfeed":
                    obj = self.feed(site, panel, name)
                else:
                    path = {"dcim.interface": "dcim/interfaces/", "dcim.powerport": "dcim/power-ports/",
                            "dcim.poweroutlet": "dcim/power-outlets/"}[kind]
                    obj = self.component(path, dev, name)
                ends.append((kind, obj))
            p["a_terminations"] = [{"object_type": ends[0][0], "object_id": ends[0][1]["id"]}]
            p["b_terminations"] = [{"object_type": ends[1][0], "object_id": ends[1][1]["id"]}]
            cable = ends[0][1].get("cable")
            return "dcim/cables/", ("cable", ref_id(cable) if cable else None, ends[0][0], ends[0][1]["id"]), p, False
        raise ValueError(f"unknown file {file}")

    def existing(self, path, key):
        kind = key[0]
        if kind == "cable":
            if key[1] is None:
                return None
            return self.index("dcim/cables/", lambda o: o["id"]).get(key[1])
        keyfn = {
            "name": lambda o: ("name", o["name"]),
            "slug": lambda o: ("slug", o["slug"]),
            "site-name": lambda o: ("site-name", o["site"]["id"], o["name"]),
            "panel-name": lambda o: ("panel-name", o["power_panel"]["id"], o["name"]),
            "device-name": lambda o: ("device-name", o["device"]["id"], o["name"]),
        }[kind]
        return self.index(path, keyfn).get(key)

    def load(self, file, attempt=0):
        rows = self.rows(file)
        if not rows:
            return
        try:
            self.send(file, rows)
        except Lost as e:
            # Look again at what NetBox has and send only what is still missing or different.
            if attempt >= self.api.retries:
                raise
            print(f"  {e}: looking again at what NetBox holds", file=sys.stderr)
            self.cache.clear()
            time.sleep(2 ** attempt)
            self.load(file, attempt + 1)

    def send(self, file, rows):
        creates, updates, unchanged, t0 = [], [], 0, time.time()
        path = None
        for i, row in enumerate(rows, 2):
            try:
                path, key, p, match_only = self.payload(file, row)
            except KeyError as e:
                self.refuse(file, i, f"refers to something NetBox does not have: {e}")
                continue
            old = self.existing(path, key)
            if old is None:
                creates.append((i, {k: v for k, v in p.items() if v is not None}))
            elif match_only:
                unchanged += 1
            else:
                diff = {k: v for k, v in p.items() if not k.endswith("_terminations") and not same(old.get(k), v)}
                if diff:
                    diff["id"] = old["id"]
                    updates.append((i, diff))
                else:
                    unchanged += 1
        done = 0
        # A cable is traced end to end when it is made: slow, so fewer per request.
        batch = max(1, self.api.batch // 5) if path == "dcim/cables/" else self.api.batch
        for verb, items in (("POST", creates), ("PATCH", updates)):
            for start in range(0, len(items), batch):
                chunk = items[start:start + batch]
                try:
                    self.api.call(verb, path, [p for _, p in chunk])
                    self.forget(path)
                except Refused:
                    # Find the refused rows one by one, so that the rest still goes in.
                    for i, p in chunk:
                        try:
                            self.api.call(verb, path, [p])
                        except Refused as e:
                            self.refuse(file, i, e.text[:500])
                done += len(chunk)
                print(f"  {file}: {done}/{len(creates) + len(updates)} sent", file=sys.stderr)
        if path:
            self.forget(path)
            if path == "dcim/cables/":
                for p in ("dcim/interfaces/", "dcim/power-ports/", "dcim/power-outlets/", "dcim/power-feeds/"):
                    self.forget(p)
        print(f"{file}: {len(rows)} rows, {len(creates)} created, {len(updates)} updated, {unchanged} unchanged "
              f"({time.time() - t0:.1f} s)")

    def refuse(self, file, line, why):
        self.refused += 1
        print(f"REFUSED {file}:{line}: {why}")


def slug(s):
    out = ""
    for c in s:
        if c.isascii() and c.isalnum():
            out += c.lower()
        elif out and not out.endswith("-"):
            out += "-"
    return out.rstrip("-")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", help="a plan's output folder (with netbox-*.csv)")
    ap.add_argument("--url", required=True, help="NetBox's base URL, e.g. http://localhost:8000")
    ap.add_argument("--token", default=os.environ.get("NETBOX_TOKEN"), help="API token (or NETBOX_TOKEN)")
    ap.add_argument("--batch", type=int, default=500, help="objects per request (default 500)")
    ap.add_argument("--retries", type=int, default=5, help="retries of a failed request (default 5)")
    a = ap.parse_args()
    if not a.token:
        ap.error("an API token is needed: --token or NETBOX_TOKEN")
    if not os.path.isdir(a.folder):
        ap.error(f"{a.folder} is not a folder")
    loader = Loader(Api(a.url, a.token, a.retries, max(1, a.batch)), a.folder)
    for file in ORDER:
        loader.load(file)
    if loader.refused:
        print(f"{loader.refused} row(s) refused")
        return 1
    print("every row created, updated or unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
