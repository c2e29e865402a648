#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the examples and the bad-input corpus.
# The `plan` target takes a spec, optionally followed by `# --- catalog ---` and a user catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p "$c/spec_parse" "$c/catalog_parse" "$c/plan"
for f in examples/*.toml tests/bad-input/spec/*.toml; do
    n=$(basename "$(dirname "$f")")-$(basename "$f")
    cp "$f" "$c/spec_parse/$n"
    cp "$f" "$c/plan/$n"
done
for f in tests/bad-input/catalog/*.toml tests/bad-input/spec/*.catalog; do
    cp "$f" "$c/catalog_parse/$(basename "$f")"
done
# Each part of the built-in data is a valid catalog on its own (it overrides itself, and the sources it cites
# are built in): one small seed per part keeps inputs short and executions fast.
for f in catalog/data/*.toml; do
    awk -v out="$c/catalog_parse/builtin-$(basename "$f" .toml)" '
        /^\[\[[a-z]+\]\]$/ { n++ }
        n > 0 { print > (out "-" n ".toml") }
    ' "$f"
done
# Spec and catalog together: each sidecar with its spec, each bad catalog under the small example.
for f in tests/bad-input/spec/*.catalog; do
    { cat "${f%.catalog}.toml"; echo "# --- catalog ---"; cat "$f"; } > "$c/plan/pair-$(basename "${f%.catalog}")"
done
for f in tests/bad-input/catalog/*.toml; do
    { cat examples/gigapod-h200-air.toml; echo "# --- catalog ---"; cat "$f"; } > "$c/plan/cat-$(basename "$f")"
done
echo "seeded: $(ls "$c/spec_parse" | wc -l) spec, $(ls "$c/catalog_parse" | wc -l) catalog, $(ls "$c/plan" | wc -l) plan inputs"
