/*
 * Internals of the store (auth/store*.c), shared between its files only;
 * the rest of auth/ uses the store_* functions of auth.h.
 */
#ifndef EWSGW_STORE_INT_H
#define EWSGW_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "auth/auth_int.h"

#define STORE_DB_FILE		"ewsgw.db"
#define STORE_KEY_FILE		"key"
#define STORE_BUSY_TIMEOUT_MS	5000
#define STORE_NAME_MAX		64
#define STORE_MAILBOX_MAX	254

struct store {
	sqlite3		*db;
	char		*path;		/* state_dir/ewsgw.db */
	unsigned char	 key[SEAL_KEY_BYTES];
};

/* ---- store.c: the connection and the one place SQLite errors become
 * words ---- */

/* Writes a one-line reason for the SQLite result RC into err (never SQL
 * text) and returns -1. */
int	store_sqlerr(struct store *, int rc, char *err, size_t errlen);
/* Prepares SQL (constant text; values are bound). 0 / -1 with err. */
int	store_prepare(struct store *, const char *sql, sqlite3_stmt **stmt,
	    char *err, size_t errlen);
/* Steps STMT once; 0 when the result is WANT (SQLITE_ROW or
 * SQLITE_DONE), else -1 with err. */
int	store_step(struct store *, sqlite3_stmt *, int want, char *err,
	    size_t errlen);
/* Runs constant SQL without parameters (schema, pragmas). 0 / -1. */
int	store_exec(struct store *, const char *sql, char *err, size_t errlen);
/* BEGIN IMMEDIATE (takes the write lock now, waiting up to the busy
 * timeout), COMMIT, ROLLBACK. 0 / -1; rollback never fails. */
int	store_begin(struct store *, char *err, size_t errlen);
int	store_commit(struct store *, char *err, size_t errlen);
void	store_rollback(struct store *);
/* Copies text column COL into *OUT (NULL for SQL NULL). 0 / -1 (memory). */
int	store_column_dup(sqlite3_stmt *, int col, char **out);
/* Seconds since the epoch, for created_at / updated_at. */
int64_t	store_now(void);

/* ---- store_schema.c ---- */

/* Brings the schema to the current version, one step per transaction.
 * 0 / -1 (also when the file is newer than this program). */
int	store_migrate(struct store *, char *err, size_t errlen);

/* ---- store_check.c: validation, pure ---- */

/* 0 when NAME is 1-64 of [A-Za-z0-9._@\-]; else -1 with a reason. */
int	store_check_name(const char *name, char *err, size_t errlen);
/* 0 when ADDR looks like an SMTP address; else -1 with a reason. */
int	store_check_mailbox(const char *addr, char *err, size_t errlen);
/* Checks "a@x.com,*@y.com" and returns it without blanks or empty
 * entries as a new string in *OUT (NULL for an empty list). 0 / -1. */
int	store_check_impersonate(const char *list, char **out, char *err,
	    size_t errlen);
/* Checks mode, backend and enabled values of U that are set (not -1).
 * 0 / -1 with a reason. */
int	store_check_values(const struct store_user *u, char *err,
	    size_t errlen);

/* ---- store_users.c: row changes inside the caller's transaction ---- */

/* Inserts U (all fields checked). 0 / -1 ("user x already exists"). */
int	store_user_insert(struct store *, const struct store_user *u,
	    char *err, size_t errlen);
/* Updates the row named U->name as store_user_set does, clearing its
 * tokens when the mailbox or the mode changes. 0 / -1. */
int	store_user_update(struct store *, const struct store_user *u,
	    int clear_password, char *err, size_t errlen);

/* ---- store_tokens.c ---- */

/* Deletes the sealed tokens of USER_ID and sets its state to none, inside
 * the caller's transaction. 0 / -1. */
int	store_tokens_forget(struct store *, int64_t user_id, char *err,
	    size_t errlen);

#endif
