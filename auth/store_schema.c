/*
 * The schema, as a list of steps: step N takes PRAGMA user_version from N
 * to N + 1 inside one transaction. A later version appends a step (ALTER
 * TABLE ... ADD COLUMN ...) and never edits an old one.
 */
#include <stdio.h>

#include "auth/store_int.h"

static const char *const store_steps[] = {
	/* 0 -> 1: users and their sealed tokens. Modes, backends and token
	 * states are stored by name (auth_*_name), checked in C. */
	"CREATE TABLE users ("
	"  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  mailbox       TEXT NOT NULL,"
	"  mode          TEXT NOT NULL DEFAULT 'delegated',"
	"  backend       TEXT,"			/* NULL: the config's */
	"  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	"  password_hash TEXT,"
	"  impersonate   TEXT,"
	"  created_at    INTEGER NOT NULL,"
	"  updated_at    INTEGER NOT NULL"
	");"
	"CREATE TABLE tokens ("
	"  user_id        INTEGER PRIMARY KEY"
	"                 REFERENCES users (id) ON DELETE CASCADE,"
	"  state          TEXT NOT NULL DEFAULT 'none',"
	"  error          TEXT,"
	"  refresh_token  BLOB,"		/* sealed */
	"  access_token   BLOB,"		/* sealed */
	"  access_expires INTEGER NOT NULL DEFAULT 0,"
	"  generation     INTEGER NOT NULL DEFAULT 0,"
	"  updated_at     INTEGER NOT NULL"
	");",
	/* 1 -> 2: ropc users: a slow salted hash (passwd_hash) of the
	 * password that produced the refresh token, so that after a
	 * restart a client's password is checked without sending it to
	 * the identity platform again. Gone with the refresh token. */
	"ALTER TABLE tokens ADD COLUMN password_check TEXT;",
};
#define STORE_SCHEMA_VERSION \
	((int)(sizeof(store_steps) / sizeof(store_steps[0])))

static int
store_user_version(struct store *s, int *version, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 ret = -1;

	if (store_prepare(s, "PRAGMA user_version", &stmt, err, errlen) == -1)
		return -1;
	if (store_step(s, stmt, SQLITE_ROW, err, errlen) == -1)
		goto done;
	*version = sqlite3_column_int(stmt, 0);
	ret = 0;
done:
	sqlite3_finalize(stmt);
	return ret;
}

int
store_migrate(struct store *s, char *err, size_t errlen)
{
	char	 sql[64];
	int	 version;

	if (store_user_version(s, &version, err, errlen) == -1)
		return -1;
	while (version != STORE_SCHEMA_VERSION) {
		if (version < 0 || version > STORE_SCHEMA_VERSION) {
			snprintf(err, errlen, "database %s has schema version "
			    "%d; this ewsgw knows up to %d: upgrade ewsgw",
			    s->path, version, STORE_SCHEMA_VERSION);
			return -1;
		}
		if (store_begin(s, err, errlen) == -1)
			return -1;
		/* Another process may have migrated while we waited. */
		if (store_user_version(s, &version, err, errlen) == -1)
			goto fail;
		if (version < 0 || version >= STORE_SCHEMA_VERSION) {
			store_rollback(s);
			continue;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
		    version + 1);
		if (store_exec(s, store_steps[version], err, errlen) == -1 ||
		    store_exec(s, sql, err, errlen) == -1 ||
		    store_commit(s, err, errlen) == -1)
			goto fail;
		version++;
	}
	return 0;
fail:
	store_rollback(s);
	return -1;
}
