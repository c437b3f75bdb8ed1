#!/bin/sh
# Entry point of the finews image. Started as root (the image's default), it makes the
# data dir writable by the unprivileged `node` user (a host directory mounted at /data
# keeps its host owner) and runs finews as `node`. Started with `--user`, or where there
# is no `node` user, it runs finews as it was started.
set -e
if [ "$(id -u)" = "0" ] && id node >/dev/null 2>&1; then
  dir="${FINEWS_DATA_DIR:-/data}"
  mkdir -p "$dir"
  if [ "$(stat -c %U "$dir")" != "node" ]; then chown -R node:node "$dir"; fi
  exec setpriv --reuid=node --regid=node --init-groups node bin/finews.js "$@"
fi
exec node bin/finews.js "$@"
