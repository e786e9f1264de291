#!/usr/bin/env bash
# Prints the `replace` block for test/control-plane/kube-apiserver/go.mod: k8s.io/kubernetes
# requires its staging modules (k8s.io/api and the others under staging/src/k8s.io/) at v0.0.0
# and points them at ./staging/src/... with replace directives of its own, which Go ignores in
# a dependency. Each is published as k8s.io/<name> v0.<minor>.<patch> for v1.<minor>.<patch>.
# The list is the replace lines of k8s.io/kubernetes's own go.mod at that release, read from
# the Go module proxy.
#   usage: scripts/control-plane/staging-replaces.sh v1.35.4
set -euo pipefail
version=${1:?usage: $0 v1.MINOR.PATCH}
staging="v0.${version#v1.}"
mod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
echo "replace ("
grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/' "$mod" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}'
echo ")"
