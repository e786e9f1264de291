#!/usr/bin/env bash
# README's test command, three times in a row, while four CPU-bound processes
# (`yes > /dev/null`) keep the cores busy: no test's verdict may depend on the machine's
# speed, and this is how that is checked before a release or after a change to the
# check's deadline, a test's timing or jest's workers. The command is read from README
# (the `# the tests` line), so it is the one users run. Stops at the first failing run;
# the `yes` processes it started are ended on every exit.
#   scripts/stress-test.sh [RUNS]     (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
command=$(sed -n 's/^\(npm ci && npm test.*[^ ]\) *# the tests.*$/\1/p' README.md | head -n 1)
if [ -z "$command" ]; then
  echo "stress-test: README has no test command (a line 'npm ci && npm test ... # the tests')" >&2
  exit 2
fi
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
for _ in 1 2 3 4; do
  yes >/dev/null &
  pids+=("$!")
done
echo "stress-test: ${#pids[@]} x yes > /dev/null running; $runs run(s) of: $command"
for run in $(seq 1 "$runs"); do
  start=$(date +%s)
  if ! bash -c "$command"; then
    echo "stress-test: run $run of $runs FAILED after $(($(date +%s) - start)) s" >&2
    exit 1
  fi
  echo "stress-test: run $run of $runs passed in $(($(date +%s) - start)) s"
done
echo "stress-test: all $runs runs passed under load"
