#!/bin/sh
# Before `npm start` and the tests: builds dist/ when it is missing or older than a source. A shell
# check takes a few milliseconds, where starting node to compare the times would take a tenth of
# a second of every start.
cd "$(dirname "$0")/.." || exit 1
if [ -f dist/server.js ] && [ -z "$(find src dialogs scripts package-lock.json -newer dist/server.js -print | head -n 1)" ]; then
  exit 0
fi
exec node scripts/build.mjs
