#!/usr/bin/env bash
# The whole suite as two pytest processes side by side: most tests wait on workers, servers
# and browsers rather than compute, so two halves finish in well under the time of one run.
# One half: every test but the browser's and the PostgreSQL runs; the other: the browser
# tests, then every PostgreSQL run (none when no server answers). Arguments go to both.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
mkdir -p test-output
other=test-output/pytest-second-half.log

"$PYTEST" --ignore=tests/web -k "not postgresql" "$@" &
first=$!
{
  "$PYTEST" tests/web "$@"
  web=$?
  "$PYTEST" --ignore=tests/web -k postgresql "$@"
  postgres=$?
  [ "$postgres" -eq 5 ] && postgres=0  # no PostgreSQL here: nothing was selected
  exit $((web || postgres))
} >"$other" 2>&1 &
second=$!

wait "$first"; first_rc=$?
wait "$second"; second_rc=$?
echo "---------------- second half (browser tests, then PostgreSQL runs) ----------------"
cat "$other"
echo "first half exit $first_rc, second half exit $second_rc"
exit $((first_rc || second_rc))
