#!/bin/sh
# Restores a base backup plus the WAL archive into a NEW data directory and prepares it to
# replay the archive up to the end (or to a point in time) and then open for writes.
#
#   restore.sh BASE_BACKUP_DIR WAL_ARCHIVE_DIR NEW_DATA_DIR [RECOVERY_TARGET_TIME]
#
# e.g. restore.sh /var/backups/culture-cloud/base-20261205T020000Z \
#        /var/backups/culture-cloud/wal /var/lib/postgresql/15/restored '2026-12-05 10:59:00+08'
#
# Then start PostgreSQL on NEW_DATA_DIR. On Debian the configuration lives in /etc/postgresql:
# `pg_createcluster 15 restored`, delete its data directory, restore into it, then
# `pg_ctlcluster 15 restored start` (README "Backups and restore"). Elsewhere the backup's own
# postgresql.conf is in NEW_DATA_DIR: `pg_ctl -D NEW_DATA_DIR start`. It replays the archive
# and promotes itself; `SELECT pg_is_in_recovery()` answering f means it is ready. Run as the
# postgres user.
set -eu
# Debian puts pg_verifybackup and friends only in the versioned directory.
PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
backup=$1 archive=$2 data=$3 target_time=${4:-}
if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
  echo "restore: $data is not empty; restore into a new directory" >&2
  exit 1
fi
pg_verifybackup -q "$backup"
mkdir -p "$data"
chmod 700 "$data"
cp -a "$backup"/. "$data"/
rm -f "$data/backup_manifest" "$data/standby.signal"
{
  echo "# restore.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) from $backup"
  echo "restore_command = 'cp \"$archive/%f\" \"%p\"'"
  if [ -n "$target_time" ]; then
    echo "recovery_target_time = '$target_time'"
  fi
  # Open for writes once the archive (or the target) is reached.
  echo "recovery_target_action = 'promote'"
  # The restored copy must not archive into the live archive as if it were the primary.
  echo "archive_mode = 'off'"
} >>"$data/postgresql.auto.conf"
touch "$data/recovery.signal"
echo "$data"
