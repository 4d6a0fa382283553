#!/bin/sh
# validation/check/ids_match.sh LORAFLOW ID...: fails unless `loraflow check --list --ids` prints exactly the ids
# registered with ctest in validation/CMakeLists.txt, in the same order (a claim added to the registry but not to
# ctest, or the reverse, is caught here).
bin=$1; shift
got=$("$bin" check --list --ids | tr '\n' ' ')
want="$* "
if [ "$got" != "$want" ]; then
  echo "registry ids:  $got" >&2
  echo "ctest ids:     $want" >&2
  exit 1
fi
