#!/bin/sh
# The small-install backup: a pg_dump of the database in custom format, kept for KEEP days.
#
#   dump.sh DUMP_DIR DATABASE_URL_OR_NAME [KEEP_DAYS]    (pg_dump connection syntax:
#   postgresql://culture_cloud@127.0.0.1/culture_cloud, or a database name with PG* variables)
#
# Writes DUMP_DIR/culture_cloud-YYYYmmddTHHMMSSZ.dump and prints its path. A dump is a
# consistent snapshot, but everything written after it is lost on restore: run it at least
# nightly (deploy/backup/culture-cloud-dump.timer), and use base backups + WAL archiving
# (base-backup.sh, archive-wal.sh) where losing a day of bookings is not acceptable.
set -eu
# Debian puts pg_verifybackup and friends only in the versioned directory.
PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
dir=$1 database=$2 keep=${3:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$dir/culture_cloud-$stamp.dump"
mkdir -p "$dir"
pg_dump --format=custom --no-owner --file="$target.part" "$database"
# A dump pg_restore cannot list is not a backup.
pg_restore --list "$target.part" >/dev/null
mv "$target.part" "$target"
find "$dir" -name 'culture_cloud-*.dump' -mtime +"$keep" -delete
echo "$target"
