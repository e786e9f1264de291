#!/usr/bin/env bash
# npm run validate: synthesize, then `terraform init -backend=false` and
# `terraform validate` in every stack directory with the real providers.
# This is a real check: where the providers cannot be downloaded (no registry
# access) it says so and fails; it never reports success it did not get.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v terraform >/dev/null 2>&1; then
  echo "validate: terraform is not installed (need >= 1.5); nothing was validated" >&2
  exit 1
fi
npm run --silent synth
status=0
for dir in cdktf.out/stacks/*/; do
  stack=$(basename "$dir")
  echo "validate: $stack: terraform init -backend=false"
  if ! (cd "$dir" && terraform init -backend=false -input=false -no-color >init.log 2>&1); then
    echo "validate: $stack: terraform init failed, so the stack was NOT validated. Last lines of $dir/init.log:" >&2
    tail -n 8 "$dir/init.log" >&2
    if grep -qiE "could not connect|failed to query available provider packages|no such host|registry.terraform.io" "$dir/init.log"; then
      echo "validate: the helm/kubernetes/null providers could not be downloaded from this machine (no registry access)." >&2
    fi
    status=1
    continue
  fi
  echo "validate: $stack: terraform validate"
  (cd "$dir" && terraform validate -no-color) || status=1
done
exit $status
