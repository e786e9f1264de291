#!/usr/bin/env bash
# Markdown for a PR's job summary: the diff of cdktf.out/stacks between a base
# revision and the working tree, both synthesized from scratch with default
# settings. Usage: scripts/synth-diff.sh <base-rev> [<keep-dir>]: with a keep-dir, the base's
# cdktf.out is copied there (for scripts/reachability-diff.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:?usage: synth-diff.sh <base-rev> [<keep-dir>]}
keep=${2:-}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --detach "$work/base" "$base_rev" >/dev/null 2>&1
(cd "$work/base" && npm ci --silent >/dev/null 2>&1 && npm run --silent synth >/dev/null 2>&1) || {
  echo "### Synthesized Terraform"
  echo "The base revision \`$base_rev\` did not synthesize; no diff."
  exit 0
}
npm run --silent synth >/dev/null
if [ -n "$keep" ]; then
  rm -rf "$keep"
  cp -R "$work/base/cdktf.out" "$keep"
fi

echo "### Synthesized Terraform: \`$base_rev\` vs this change"
if diff -ru --exclude=.terraform --exclude='*.lock.hcl' "$work/base/cdktf.out/stacks" cdktf.out/stacks >"$work/diff.txt"; then
  echo "No change in cdktf.out/stacks."
else
  echo '```diff'
  sed -e "s|$work/base/||g" "$work/diff.txt" | head -n 2000
  echo '```'
fi
