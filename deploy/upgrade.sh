#!/bin/sh
# Upgrade this machine to the code already checked out in /srv/cstportal, in the documented order:
# dependencies, translations, migrations (once, with --migrate), static files, web, workers, beat.
#
#   deploy/upgrade.sh --migrate     on the first machine (runs the migrations)
#   deploy/upgrade.sh               on every other machine
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -r /etc/cstportal/cstportal.env ]; then
    set -a; . /etc/cstportal/cstportal.env; set +a
fi
.venv/bin/pip install --quiet -r requirements.txt
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/python manage.py compile_translations
if [ "${1:-}" = "--migrate" ]; then
    .venv/bin/python manage.py migrate --noinput
    # The stored search text follows the code and the translations (category labels): one UPDATE.
    .venv/bin/python manage.py refresh_search_vectors
fi
.venv/bin/python manage.py check --deploy --fail-level WARNING
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
systemctl reload cstportal-web.service 2>/dev/null || true
systemctl restart 'cstportal-worker@*.service' 2>/dev/null || true
if systemctl is-enabled --quiet cstportal-beat.service 2>/dev/null; then
    systemctl restart cstportal-beat.service
fi
