#!/bin/sh
# Back up the CST Portal: the database (pg_dump, custom format) and the media folder (generated reports).
# Redis needs no backup: queued work is re-created from the outbox in PostgreSQL, the cache is disposable.
#
#   deploy/backup.sh [DESTINATION]      (default /var/backups/cstportal; keeps KEEP_DAYS days, default 14)
#
# Reads DATABASE_URL and MEDIA_ROOT from the environment or from /etc/cstportal/cstportal.env.
set -eu
if [ -z "${DATABASE_URL:-}" ] && [ -r /etc/cstportal/cstportal.env ]; then
    set -a; . /etc/cstportal/cstportal.env; set +a
fi
: "${DATABASE_URL:?DATABASE_URL is not set}"
destination=${1:-/var/backups/cstportal}
media=${MEDIA_ROOT:-${VAR_DIR:-/var/lib/cstportal}/media}
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$destination"
umask 077
pg_dump --format=custom --no-owner --file="$destination/cstportal-$stamp.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
    tar -C "$(dirname "$media")" -czf "$destination/cstportal-media-$stamp.tar.gz" "$(basename "$media")"
fi
find "$destination" -name 'cstportal-*' -mtime +"${KEEP_DAYS:-14}" -delete
echo "$destination/cstportal-$stamp.dump"
