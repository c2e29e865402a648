#!/usr/bin/env bash
# Imports two plans into one real NetBox, twice, with scripts/netbox-push.py, and checks that nothing was refused,
# that the second import changed nothing, and that NetBox shows each rack's power.
#
#   scripts/netbox-test.sh NETBOX_SOURCE_DIR [WORK_DIR]
#
# NETBOX_SOURCE_DIR: a NetBox release's source (4.6 was tested: `git archive v4.6.8` of netbox-community/netbox;
# NetBox 4.6 needs Python >= 3.12, set PYTHON to one). Needs PostgreSQL (Debian: postgresql, running, with `su
# postgres` able to create a user) and redis-server (Debian: redis-server); run as root on a scratch machine. It
# makes the database `gigapod_nb`, a Redis on port 6391, a venv with NetBox's requirements (pip, from PyPI), and
# runs NetBox's development server on port 8391: ~10 minutes the first time (the migrations), seconds after.
# Not part of CI (CI cannot fetch NetBox's source); the CSV rules it relies on are tested in tests/netbox.rs.
set -euo pipefail
src=$(cd "$1" && pwd)
work=${2:-/tmp/gigapod-netbox}
python=${PYTHON:-python3}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
cd "$work"

echo "== services"
pg_lsclusters >/dev/null 2>&1 && { pg_lsclusters | awk 'NR>1 && $4=="down"{print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" start; done; }
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='gigapod_nb'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE USER gigapod_nb WITH PASSWORD 'gigapod_nb'\" -c \"CREATE DATABASE gigapod_nb OWNER gigapod_nb\""
redis-cli -p 6391 ping >/dev/null 2>&1 || redis-server --port 6391 --daemonize yes --save "" --appendonly no --dir "$work"

echo "== NetBox"
[ -x venv/bin/python ] || { "$python" -m venv venv && venv/bin/pip install -q -r "$src/requirements.txt"; }
conf="$src/netbox/netbox/configuration.py"
if [ ! -f "$conf" ]; then
  venv/bin/python - "$src" <<'PY'
import re, sys
src = sys.argv[1]
c = open(f"{src}/netbox/netbox/configuration_example.py").read()
c = c.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']")
c = re.sub(r"'NAME': '[^']*'", "'NAME': 'gigapod_nb'", c, count=1)
c = re.sub(r"'USER': '[^']*'", "'USER': 'gigapod_nb'", c, count=1)
c = re.sub(r"'PASSWORD': '[^']*'", "'PASSWORD': 'gigapod_nb'", c, count=1)
c = c.replace("'PORT': 6379", "'PORT': 6391")
c = c.replace("SECRET_KEY = ''", "SECRET_KEY = 'gigapod-netbox-test-secret-key-0123456789-abcdefghijklmnop'")
open(f"{src}/netbox/netbox/configuration.py", "w").write(c)
PY
fi
(cd "$src/netbox" && "$work/venv/bin/python" manage.py migrate --no-input >"$work/migrate.log")
token=0123456789abcdef0123456789abcdef01234567
(cd "$src/netbox" && "$work/venv/bin/python" manage.py shell -c "
from users.models import User, Token
u, _ = User.objects.get_or_create(username='gigapod', defaults={'is_superuser': True})
Token.objects.filter(user=u).exists() or Token.objects.create(user=u, version=1, token='$token', write_enabled=True)
")
(cd "$src/netbox" && exec "$work/venv/bin/python" manage.py runserver 127.0.0.1:8391 --noreload >"$work/server.log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf -o /dev/null -H "Authorization: Token $token" http://127.0.0.1:8391/api/status/ && break; sleep 1; done

echo "== two plans, twice"
(cd "$repo" && cargo build --quiet)
for spec in gigapod-h200-air gigapod-b200-dlc; do
  "$repo/target/debug/gigapod" plan "$repo/examples/$spec.toml" --out "$work/$spec-plan" --force >/dev/null
done
for round in 1 2; do
  for spec in gigapod-h200-air gigapod-b200-dlc; do
    echo "-- round $round: $spec"
    "$repo/scripts/netbox-push.py" --url http://127.0.0.1:8391 --token "$token" "$work/$spec-plan" | tee "$work/push-$round-$spec.log"
  done
done
if grep -q REFUSED "$work"/push-*.log; then echo "FAIL: NetBox refused rows"; exit 1; fi
if grep -E ' [1-9][0-9]* (created|updated)' "$work"/push-2-*.log; then echo "FAIL: the second import changed something"; exit 1; fi

echo "== power per rack, as NetBox computes it"
(cd "$src/netbox" && "$work/venv/bin/python" manage.py shell -c "
from dcim.models import Rack
bad = 0
for r in Rack.objects.filter(site__name__in=['gigapod-h200-air', 'gigapod-b200-dlc']).order_by('site__name', 'name'):
    u = r.get_power_utilization()
    print(f'{r.site.name} {r.name}: {u} % of its feeds')
    bad += u <= 0
print('racks without power:', bad)
raise SystemExit(1 if bad else 0)
")
echo "PASS: two plans in one NetBox, nothing refused, re-import unchanged, power per rack"
