#!/usr/bin/env bash
# Markdown for a PR's job summary: what the change does to who can reach whom, from the
# synth output of the base revision (scripts/synth-diff.sh keeps it) to this one's: a table
# of the port ranges whose verdict changed and a Mermaid graph of those edges.
# Usage: scripts/reachability-diff.sh <base cdktf.out> <head cdktf.out>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: reachability-diff.sh <base cdktf.out> <head cdktf.out>}
head=${2:?usage: reachability-diff.sh <base cdktf.out> <head cdktf.out>}
if [ ! -d "$base/stacks" ]; then
  echo "### Reachability"
  echo "The base revision has no synth output; no diff."
  exit 0
fi
node "$root/dist/lib/explain/explain-bin.js" diff --markdown "$base" "$head"
