#!/usr/bin/env bash
# Usage: runtime-tree.sh SRC DEST
# Assembles the image's runtime tree from a built checkout SRC (after `npm ci` and `tsc -b`):
# the compiled dist/src of every workspace a container runs, the data files they read at run
# time, and production dependencies only (`npm ci --omit=dev` for those workspaces, from the
# one lockfile). The Dockerfile runs this in its build stage; chaos/test/chart-runtime-tree.test.ts
# runs it into a temp dir and starts every component from DEST, so the two cannot drift.
set -euo pipefail
src="$(cd "$1" && pwd)"
dest="$2"

# The workspaces a container runs (services, agent/controller/CLI, load generator, SLO rules).
# dashboards/ and bench/ are build-time only and stay out.
workspaces=(services/kit services/booking services/scheduler services/gateway slos loadtests chaos)

mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
for w in "${workspaces[@]}"; do
  mkdir -p "$dest/$w/dist"
  cp "$src/$w/package.json" "$dest/$w/"
  # dist/src only: the compiled tests (dist/test, *.test.js) are not shipped.
  cp -R "$src/$w/dist/src" "$dest/$w/dist/src"
  find "$dest/$w/dist/src" \( -name '*.test.js' -o -name '*.test.d.ts' -o -name '*.tsbuildinfo' \) -delete
done
# Files read at run time next to the code (see the import.meta.url paths in each workspace).
cp -R "$src/chaos/bin" "$src/chaos/schema" "$dest/chaos/"
cp -R "$src/slos/generated" "$dest/slos/"
cp "$src"/slos/*.yaml "$dest/slos/"
cp -R "$src/loadtests/scenarios" "$dest/loadtests/"

ws_flags=()
for w in "${workspaces[@]}"; do ws_flags+=(--workspace "$w"); done
# --ignore-scripts: no dependency needs an install script at run time (protobufjs's postinstall
# only prints a notice), and none should run with the build's network access.
(cd "$dest" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline "${ws_flags[@]}")
