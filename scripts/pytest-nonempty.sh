#!/usr/bin/env bash
# Runs pytest and turns "no tests collected" (exit 5) into a failure: a gate that ran
# nothing must not pass silently.
"$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "stormproof: pytest collected no tests: failing, because a gate that ran nothing proves nothing" >&2
  exit 1
fi
exit "$rc"
