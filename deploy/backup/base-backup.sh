#!/bin/sh
# A base backup of the primary for point-in-time recovery (with the WAL archive that
# archive-wal.sh fills): a plain copy of the cluster with its manifest, checked by
# pg_verifybackup before it counts.
#
#   base-backup.sh BACKUP_ROOT [pg_basebackup connection options, e.g. -h 127.0.0.1 -U postgres]
#
# Writes BACKUP_ROOT/base-YYYYmmddTHHMMSSZ/ and prints its path. Run it daily (or weekly) as the
# postgres user, from cron or a systemd timer; keep at least two, and the WAL archive back to
# the older one (pg_archivecleanup ARCHIVE <oldest kept backup's first segment> prunes the rest).
set -eu
# Debian puts pg_verifybackup and friends only in the versioned directory.
PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
root=$1
shift
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$root/base-$stamp"
mkdir -p "$root"
# -X stream: the WAL written during the copy is in the backup, so the backup alone restores to
# a consistent state even if the archive is lost; -c fast: checkpoint now, not within minutes.
pg_basebackup -D "$target.part" -X stream -c fast "$@"
pg_verifybackup -q "$target.part"
mv "$target.part" "$target"
echo "$target"
