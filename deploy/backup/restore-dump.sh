#!/bin/sh
# Restores a dump.sh dump into a NEW, empty database (created here) on any PostgreSQL 15 server.
#
#   restore-dump.sh DUMP_FILE NEW_DATABASE [-h HOST] [-p PORT] [-U USER]
#
# Then point CULTURE_CLOUD_DATABASE_URL at NEW_DATABASE and start the service: the schema is
# the dump's, `culture-cloud migrate` brings it to the current release if it is older.
set -eu
# Debian puts pg_verifybackup and friends only in the versioned directory.
PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
dump=$1 database=$2
shift 2
createdb "$@" "$database"
pg_restore --no-owner --exit-on-error --single-transaction -d "$database" "$@" "$dump"
echo "$database"
