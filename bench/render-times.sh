#!/usr/bin/env bash
# Render time of racks.svg at 64 SUs (555 racks) in librsvg (rsvg-convert) and resvg, at full size, release build.
# Prints one line per renderer. Needs librsvg2-bin and fonts-dejavu-core (as .ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
nice cargo test --release --test outputs_files racks_svg_of_64_sus_renders_whole_in_librsvg_and_resvg -- --nocapture 2>&1 \
  | grep -E '^(librsvg|resvg):|test result'
