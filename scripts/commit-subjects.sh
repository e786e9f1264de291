#!/usr/bin/env bash
# Every commit subject after FLOOR is at most 72 characters: git's one-line log, a PR
# list and a changelog generator all cut or wrap longer ones. Earlier history is left
# as it is (rewriting published commits would break every clone), so the check starts at
# FLOOR, the commit after which the rule was enforced. Where the clone is shallow and
# FLOOR is absent, only HEAD's own subject is checked.
#   scripts/commit-subjects.sh [FLOOR]     exit 0: all within the limit; 1: some are not
set -euo pipefail
cd "$(dirname "$0")/.."
floor=${1:-496ca96e642aecff5365d9844389772b961b63a0}
limit=72
if git cat-file -e "$floor^{commit}" 2>/dev/null; then
  range="$floor..HEAD"
else
  range="-1"
fi
long=$(git log --format='%h %s' $range | awk -v limit="$limit" '{ subject = substr($0, index($0, " ") + 1) } length(subject) > limit { print "  " $0 " (" length(subject) " characters)" }')
if [ -n "$long" ]; then
  echo "commit-subjects: these subjects are over $limit characters; reword them (git rebase -i, reword) before they land:" >&2
  echo "$long" >&2
  exit 1
fi
