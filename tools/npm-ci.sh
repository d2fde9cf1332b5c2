#!/bin/sh
# Installs a tool's pinned npm packages (package-lock.json) for the tests that use them; the build
# runs it (exec-maven-plugin), so `./mvnw verify` needs no set-up by hand.
#   tools/npm-ci.sh tools/web-test
# Without npm, or offline, it says so and returns 0: the tests that need the packages then skip
# with a line saying why, except under CI=true, where this fails the build instead.
dir="$1"
stamp="$dir/node_modules/.meshpipe-lock"
if cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
  exit 0 # already installed from this lock file
fi
if ! command -v npm >/dev/null 2>&1; then
  [ "${CI:-}" = true ] && { echo "npm not found (apt-get install npm), and CI=true: failing"; exit 1; }
  echo "npm not found: not installing $dir's packages (apt-get install npm); the tests that need them will skip"
  exit 0
fi
if npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error; then
  cp "$dir/package-lock.json" "$stamp"
else
  [ "${CI:-}" = true ] && { echo "npm ci --prefix $dir failed, and CI=true: failing"; exit 1; }
  echo "npm ci --prefix $dir failed; the tests that need its packages will skip"
  exit 0
fi
