#!/bin/sh
# PostgreSQL's archive_command: copies one finished WAL segment into the archive directory.
#
#   archive_mode = on
#   archive_command = '/usr/local/lib/culture-cloud/archive-wal.sh /var/backups/culture-cloud/wal %p %f'
#   archive_timeout = 60      # a quiet hour still loses at most a minute of bookings
#
# PostgreSQL retries a failed command and never recycles a segment that was not archived, so
# this exits non-zero rather than overwrite anything: a segment that is already archived with
# the same content is fine (a retry after a crash), a different one is an alarm.
set -eu
archive=$1 path=$2 name=$3
target="$archive/$name"
if [ -f "$target" ]; then
  cmp -s "$path" "$target" && exit 0
  echo "archive-wal: $target exists with different content" >&2
  exit 1
fi
# Copy under a temporary name, flush, then rename: a half-written segment is never "archived".
cp "$path" "$target.part"
sync "$target.part" 2>/dev/null || sync
mv "$target.part" "$target"
