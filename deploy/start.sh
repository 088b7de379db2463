#!/bin/sh
# Two (or more) app replicas behind Debian's nginx with sticky sessions, for a lecture hall.
#   deploy/start.sh                      # 2 replicas, students open http://<this machine>:8501
#   deploy/start.sh --replicas 3 --listen 0.0.0.0:80
# Installs nginx with apt if it is missing (needs root), then runs deploy/cluster.py
# (replicas on 127.0.0.1:8601, 8602, ...; Ctrl-C stops everything it started).
set -e
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "installing nginx (Debian package)"
    apt-get update -qq && apt-get install -y -qq nginx
fi
PY=${PY:-.venv/bin/python}
exec "$PY" deploy/cluster.py "$@"
