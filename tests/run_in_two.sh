#!/usr/bin/env bash
# The whole suite as two pytest processes side by side: most tests wait on workers, servers
# and browsers rather than compute, so two halves finish in well under the time of one run.
# One half: every test but the browser's, ml_backend's and the PostgreSQL runs; the other: the
# browser tests, ml_backend's, then every other PostgreSQL run (none when no server answers),
# which balances the two on a two-core machine. Arguments go to both.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
mkdir -p test-output
other=test-output/pytest-second-half.log

"$PYTEST" --ignore=tests/web --ignore=tests/ml_backend -k "not postgresql" "$@" &
first=$!
{
  "$PYTEST" tests/web "$@"
  web=$?
  "$PYTEST" tests/ml_backend "$@"
  backend=$?
  "$PYTEST" --ignore=tests/web --ignore=tests/ml_backend -k postgresql "$@"
  postgres=$?
  [ "$postgres" -eq 5 ] && postgres=0  # no PostgreSQL here: nothing was selected
  exit $((web || backend || postgres))
} >"$other" 2>&1 &
second=$!

wait "$first"; first_rc=$?
wait "$second"; second_rc=$?
echo "------------- second half (browser tests, ml_backend, then PostgreSQL runs) -------------"
cat "$other"
echo "first half exit $first_rc, second half exit $second_rc"
exit $((first_rc || second_rc))
