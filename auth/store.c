/*
 * The store's connection: state_dir/ewsgw.db (SQLite, WAL) and the token
 * key, shared by the CLI and a running serve. SQLite errors become one
 * line of words here, and only here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "auth/store_int.h"

/* Primary result codes an admin can act on (WITH_PATH: the text is
 * followed by the file name); the rest get SQLite's own short
 * description of the code, never the statement. */
static const struct {
	int		 rc;
	int		 with_path;
	const char	*text;
} store_errors[] = {
	{ SQLITE_BUSY, 0, "database is busy (another ewsgw is writing); "
	    "try again" },
	{ SQLITE_LOCKED, 0, "database is busy (another ewsgw is writing); "
	    "try again" },
	{ SQLITE_READONLY, 1, "read-only database" },
	{ SQLITE_PERM, 1, "permission denied on database" },
	{ SQLITE_CANTOPEN, 1, "cannot open database" },
	{ SQLITE_FULL, 1, "no space left for database" },
	{ SQLITE_IOERR, 1, "I/O error on database" },
	{ SQLITE_CORRUPT, 1, "damaged database" },
	{ SQLITE_NOTADB, 1, "not a database:" },
	{ SQLITE_NOMEM, 0, "out of memory" },
	{ SQLITE_TOOBIG, 0, "value too large for the database" },
	{ SQLITE_CONSTRAINT, 0, "the database refused the change "
	    "(constraint)" },
};

int
store_sqlerr(struct store *s, int rc, char *err, size_t errlen)
{
	const char	*path = s->path != NULL ? s->path : "?";
	size_t		 i, n;
	int		 sys;

	if (s->db != NULL)
		log_debug("sqlite: %s (%d)", sqlite3_errmsg(s->db),
		    sqlite3_extended_errcode(s->db));
	for (i = 0; i < sizeof(store_errors) / sizeof(store_errors[0]); i++)
		if (store_errors[i].rc == (rc & 0xff))
			break;
	if (i == sizeof(store_errors) / sizeof(store_errors[0])) {
		snprintf(err, errlen, "database error: %s", sqlite3_errstr(rc));
		return -1;
	}
	if (store_errors[i].with_path)
		snprintf(err, errlen, "%s %s", store_errors[i].text, path);
	else
		snprintf(err, errlen, "%s", store_errors[i].text);
	sys = s->db != NULL ? sqlite3_system_errno(s->db) : 0;
	n = strlen(err);
	if (store_errors[i].with_path && sys != 0 && n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(sys));
	return -1;
}

int
store_prepare(struct store *s, const char *sql, sqlite3_stmt **stmt,
    char *err, size_t errlen)
{
	int	 rc;

	*stmt = NULL;
	rc = sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, err, errlen);
	return 0;
}

int
store_step(struct store *s, sqlite3_stmt *stmt, int want, char *err,
    size_t errlen)
{
	int	 rc;

	if ((rc = sqlite3_step(stmt)) != want)
		return store_sqlerr(s, rc == SQLITE_ROW || rc == SQLITE_DONE ?
		    SQLITE_ERROR : rc, err, errlen);
	return 0;
}

int
store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	int	 rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, err, errlen);
	return 0;
}

int
store_begin(struct store *s, char *err, size_t errlen)
{
	return store_exec(s, "BEGIN IMMEDIATE", err, errlen);
}

int
store_commit(struct store *s, char *err, size_t errlen)
{
	if (store_exec(s, "COMMIT", err, errlen) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_column_dup(sqlite3_stmt *stmt, int col, char **out)
{
	const unsigned char	*text;

	*out = NULL;
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	if ((text = sqlite3_column_text(stmt, col)) == NULL)
		return -1;	/* out of memory converting */
	if ((*out = strdup((const char *)text)) == NULL)
		return -1;
	return 0;
}

int64_t
store_now(void)
{
	return (int64_t)time(NULL);
}

/* Creates DIR 0700 when missing; an existing one must be a directory.
 * *ST describes it. */
static int
store_mkdir(const char *dir, struct stat *st, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) == 0) {
		if (chmod(dir, 0700) == -1) {
			snprintf(err, errlen, "cannot chmod %s: %s", dir,
			    strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create state_dir %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, st) == -1 || !S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "state_dir %s is not a directory", dir);
		return -1;
	}
	return 0;
}

/*
 * When root runs the CLI before the service ever did, files it creates
 * in the service's state_dir go to the directory's owner, so serve can
 * still open them (SQLite does the same for the -wal and -shm files).
 */
static int
store_adopt(const char *path, const struct stat *dir, char *err,
    size_t errlen)
{
	struct stat	 st;

	if (geteuid() != 0 || dir->st_uid == 0)
		return 0;
	if (lstat(path, &st) == -1 || st.st_uid != 0)
		return 0;
	if (lchown(path, dir->st_uid, dir->st_gid) == -1) {
		snprintf(err, errlen, "cannot chown %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* SQLite would create the file with mode 0644 minus umask; it copies the
 * database's mode to the -wal and -shm files, so 0600 here covers all. */
static int
store_create_file(const char *path, char *err, size_t errlen)
{
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "cannot create database %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errlen, "cannot chmod database %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The connection settings every user of the file needs. */
static int
store_configure(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	const char	*mode;
	int		 ret = -1;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if (store_prepare(s, "PRAGMA journal_mode=WAL", &stmt, err,
	    errlen) == -1)
		goto done;
	if (store_step(s, stmt, SQLITE_ROW, err, errlen) == -1)
		goto done;
	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		snprintf(err, errlen, "database %s cannot use WAL mode "
		    "(journal mode %s)", s->path, mode != NULL ? mode : "?");
		goto done;
	}
	/* FULL: a commit is on disk before COMMIT returns, even in WAL. */
	if (store_exec(s, "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA trusted_schema=OFF", err, errlen) == -1)
		goto done;
	ret = 0;
done:
	sqlite3_finalize(stmt);
	return ret;
}

struct store *
store_open(const char *state_dir, int strict_key, char *err, size_t errlen)
{
	struct store	*s = NULL;
	struct stat	 dir;
	char		*keypath = NULL;
	int		 rc;

	if (state_dir == NULL || *state_dir == '\0') {
		snprintf(err, errlen, "state_dir is not set");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	if (asprintf(&s->path, "%s/%s", state_dir, STORE_DB_FILE) == -1) {
		s->path = NULL;
		goto nomem;
	}
	if (asprintf(&keypath, "%s/%s", state_dir, STORE_KEY_FILE) == -1) {
		keypath = NULL;
		goto nomem;
	}
	if (store_mkdir(state_dir, &dir, err, errlen) == -1)
		goto fail;
	if (seal_key_load(keypath, strict_key, s->key, err, errlen) == -1 ||
	    store_adopt(keypath, &dir, err, errlen) == -1)
		goto fail;
	if (store_create_file(s->path, err, errlen) == -1 ||
	    store_adopt(s->path, &dir, err, errlen) == -1)
		goto fail;
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(s, rc, err, errlen);
		goto fail;
	}
	if (store_configure(s, err, errlen) == -1)
		goto fail;
	if (store_migrate(s, err, errlen) == -1)
		goto fail;
	free(keypath);
	return s;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(keypath);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	OPENSSL_cleanse(s->key, sizeof(s->key));
	free(s->path);
	free(s);
}

int64_t
store_data_version(struct store *s)
{
	sqlite3_stmt	*stmt = NULL;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &stmt,
	    NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
done:
	sqlite3_finalize(stmt);
	return v;
}
