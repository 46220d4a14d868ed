/* User rows: add, change, enable, remove, read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/store_int.h"

#define STORE_USER_COLUMNS \
	"SELECT u.id, u.name, u.mailbox, u.mode, u.backend, u.enabled," \
	" u.password_hash, u.impersonate, t.state, t.error," \
	" coalesce(t.generation, 0), coalesce(t.access_expires, 0)" \
	" FROM users u LEFT JOIN tokens t ON t.user_id = u.id"

void
store_user_clear(struct store_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free(u->mailbox);
	auth_secret_free(u->password_hash);
	free(u->impersonate);
	free(u->token_error);
	memset(u, 0, sizeof(*u));
}

void
store_users_free(struct store_user *users, size_t n)
{
	if (users == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		store_user_clear(&users[i]);
	free(users);
}

/* Fills U from a row of STORE_USER_COLUMNS. 0 / -1 with err. */
static int
store_user_row(sqlite3_stmt *stmt, struct store_user *u, char *err,
    size_t errlen)
{
	const char	*mode, *backend, *state;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(stmt, 0);
	if (store_column_dup(stmt, 1, &u->name) == -1 ||
	    store_column_dup(stmt, 2, &u->mailbox) == -1 ||
	    store_column_dup(stmt, 6, &u->password_hash) == -1 ||
	    store_column_dup(stmt, 7, &u->impersonate) == -1 ||
	    store_column_dup(stmt, 9, &u->token_error) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(stmt, 3);
	backend = (const char *)sqlite3_column_text(stmt, 4);
	state = (const char *)sqlite3_column_text(stmt, 8);
	u->mode = auth_mode_byname(mode);
	u->backend = backend == NULL ? AUTH_BACKEND_DEFAULT :
	    auth_backend_byname(backend);
	u->token_state = state == NULL ? AUTH_TOKEN_NONE :
	    auth_token_state_byname(state);
	if (u->mode == -1 || (backend != NULL && u->backend == -1) ||
	    u->token_state == -1) {
		/* Written by a newer ewsgw, or by hand. */
		snprintf(err, errlen, "user %s has an unknown mode, backend "
		    "or token state in the database", u->name);
		goto fail;
	}
	u->enabled = sqlite3_column_int(stmt, 5) != 0;
	u->token_generation = sqlite3_column_int64(stmt, 10);
	u->access_expires = sqlite3_column_int64(stmt, 11);
	return 0;
fail:
	store_user_clear(u);
	return -1;
}

int
store_user_get(struct store *s, const char *name, struct store_user *out,
    char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (store_prepare(s, STORE_USER_COLUMNS " WHERE u.name = ?1", &stmt,
	    err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		ret = 1;
	else if (rc != SQLITE_ROW)
		store_sqlerr(s, rc, err, errlen);
	else if (store_user_row(stmt, out, err, errlen) == 0)
		ret = 0;
	sqlite3_finalize(stmt);
	return ret;
}

int
store_users_list(struct store *s, struct store_user **out, size_t *n,
    char *err, size_t errlen)
{
	sqlite3_stmt		*stmt = NULL;
	struct store_user	*users = NULL, *grown;
	size_t			 count = 0, cap = 0;
	int			 rc, ret = -1;

	*out = NULL;
	*n = 0;
	if (store_prepare(s, STORE_USER_COLUMNS
	    " ORDER BY u.name COLLATE NOCASE, u.id", &stmt, err, errlen) == -1)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = reallocarray(users, cap, sizeof(*users));
			if (grown == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			users = grown;
		}
		if (store_user_row(stmt, &users[count], err, errlen) == -1)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(s, rc, err, errlen);
		goto fail;
	}
	*out = users;
	*n = count;
	users = NULL;
	count = 0;
	ret = 0;
fail:
	sqlite3_finalize(stmt);
	store_users_free(users, count);
	return ret;
}

int
store_user_insert(struct store *s, const struct store_user *u, char *err,
    size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	char		*imp = NULL;
	int64_t		 now = store_now();
	int		 rc, ret = -1;

	if (store_check_name(u->name, err, errlen) == -1 ||
	    store_check_mailbox(u->mailbox, err, errlen) == -1 ||
	    store_check_values(u, err, errlen) == -1 ||
	    store_check_impersonate(u->impersonate, &imp, err, errlen) == -1)
		return -1;
	if (store_prepare(s, "INSERT INTO users (name, mailbox, mode,"
	    " backend, enabled, password_hash, impersonate, created_at,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
	    &stmt, err, errlen) == -1)
		goto done;
	sqlite3_bind_text(stmt, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, u->mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, auth_mode_name(u->mode == -1 ?
	    AUTH_MODE_DELEGATED : u->mode), -1, SQLITE_STATIC);
	if (u->backend != AUTH_BACKEND_DEFAULT)
		sqlite3_bind_text(stmt, 4, auth_backend_name(u->backend), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, u->enabled != 0);
	if (u->password_hash != NULL)
		sqlite3_bind_text(stmt, 6, u->password_hash, -1,
		    SQLITE_STATIC);
	if (imp != NULL)
		sqlite3_bind_text(stmt, 7, imp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		snprintf(err, errlen, "user %s already exists", u->name);
	else if (rc != SQLITE_DONE)
		store_sqlerr(s, rc, err, errlen);
	else
		ret = 0;
done:
	sqlite3_finalize(stmt);
	free(imp);
	return ret;
}

/* The id, mailbox and mode of the row named NAME. 0 / 1 not found / -1. */
static int
store_user_identity(struct store *s, const char *name, int64_t *id,
    char **mailbox, int *mode, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	*mailbox = NULL;
	if (store_prepare(s, "SELECT id, mailbox, mode FROM users"
	    " WHERE name = ?1", &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "no such user: %s", name);
		ret = 1;
	} else if (rc != SQLITE_ROW)
		store_sqlerr(s, rc, err, errlen);
	else if (store_column_dup(stmt, 1, mailbox) == -1)
		snprintf(err, errlen, "out of memory");
	else {
		*id = sqlite3_column_int64(stmt, 0);
		*mode = auth_mode_byname((const char *)
		    sqlite3_column_text(stmt, 2));
		ret = 0;
	}
	sqlite3_finalize(stmt);
	return ret;
}

int
store_user_update(struct store *s, const struct store_user *u,
    int clear_password, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	struct store_user check = *u;
	char		*imp = NULL, *old_mailbox = NULL;
	int64_t		 id;
	int		 old_mode, ret = -1;

	if (store_check_name(u->name, err, errlen) == -1 ||
	    (u->mailbox != NULL &&
	    store_check_mailbox(u->mailbox, err, errlen) == -1))
		return -1;
	if (check.backend == STORE_BACKEND_RESET)
		check.backend = AUTH_BACKEND_DEFAULT;
	if (store_check_values(&check, err, errlen) == -1 ||
	    store_check_impersonate(u->impersonate, &imp, err, errlen) == -1)
		return -1;
	if (store_user_identity(s, u->name, &id, &old_mailbox, &old_mode, err,
	    errlen) != 0)
		goto done;
	if (store_prepare(s, "UPDATE users SET"
	    " mailbox = coalesce(?2, mailbox),"
	    " mode = coalesce(?3, mode),"
	    " backend = CASE WHEN ?4 THEN ?5 ELSE backend END,"
	    " enabled = coalesce(?6, enabled),"
	    " password_hash = CASE WHEN ?7 THEN ?8 ELSE password_hash END,"
	    " impersonate = CASE WHEN ?9 THEN ?10 ELSE impersonate END,"
	    " updated_at = ?11"
	    " WHERE id = ?1", &stmt, err, errlen) == -1)
		goto done;
	sqlite3_bind_int64(stmt, 1, id);
	if (u->mailbox != NULL)
		sqlite3_bind_text(stmt, 2, u->mailbox, -1, SQLITE_STATIC);
	if (u->mode != -1)
		sqlite3_bind_text(stmt, 3, auth_mode_name(u->mode), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, u->backend != AUTH_BACKEND_DEFAULT);
	if (u->backend >= 0)
		sqlite3_bind_text(stmt, 5, auth_backend_name(u->backend), -1,
		    SQLITE_STATIC);
	if (u->enabled != -1)
		sqlite3_bind_int(stmt, 6, u->enabled);
	sqlite3_bind_int(stmt, 7, clear_password || u->password_hash != NULL);
	if (!clear_password && u->password_hash != NULL)
		sqlite3_bind_text(stmt, 8, u->password_hash, -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(stmt, 9, u->impersonate != NULL);
	if (imp != NULL)
		sqlite3_bind_text(stmt, 10, imp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, store_now());
	if (store_step(s, stmt, SQLITE_DONE, err, errlen) == -1)
		goto done;
	/* Tokens belong to one identity: a new mailbox or mode needs a new
	 * sign-in. A change of letter case is the same mailbox. */
	if (((u->mailbox != NULL && strcasecmp(u->mailbox, old_mailbox) != 0) ||
	    (u->mode != -1 && u->mode != old_mode)) &&
	    store_tokens_forget(s, id, err, errlen) == -1)
		goto done;
	ret = 0;
done:
	sqlite3_finalize(stmt);
	free(old_mailbox);
	free(imp);
	return ret;
}

/* Runs FN inside one transaction. */
static int
store_user_tx(struct store *s, int (*fn)(struct store *,
    const struct store_user *, int, char *, size_t),
    const struct store_user *u, int arg, char *err, size_t errlen)
{
	if (store_begin(s, err, errlen) == -1)
		return -1;
	if (fn(s, u, arg, err, errlen) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err, errlen);
}

static int
store_user_insert_cb(struct store *s, const struct store_user *u, int arg,
    char *err, size_t errlen)
{
	return store_user_insert(s, u, err, errlen);
}

int
store_user_add(struct store *s, const struct store_user *u, char *err,
    size_t errlen)
{
	return store_user_tx(s, store_user_insert_cb, u, 0, err, errlen);
}

int
store_user_set(struct store *s, const struct store_user *u,
    int clear_password, char *err, size_t errlen)
{
	return store_user_tx(s, store_user_update, u, clear_password, err,
	    errlen);
}

/* Runs SQL on the row named NAME: ?1 the name, ?2 VALUE, ?3 the time
 * (when the statement has them). */
static int
store_user_change(struct store *s, const char *sql, const char *name,
    int64_t value, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 ret = -1;

	if (store_prepare(s, sql, &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 3) {
		sqlite3_bind_int64(stmt, 2, value);
		sqlite3_bind_int64(stmt, 3, store_now());
	}
	if (store_step(s, stmt, SQLITE_DONE, err, errlen) == 0) {
		if (sqlite3_changes(s->db) == 0)
			snprintf(err, errlen, "no such user: %s", name);
		else
			ret = 0;
	}
	sqlite3_finalize(stmt);
	return ret;
}

int
store_user_enable(struct store *s, const char *name, int enabled, char *err,
    size_t errlen)
{
	return store_user_change(s, "UPDATE users SET enabled = ?2,"
	    " updated_at = ?3 WHERE name = ?1", name, enabled != 0, err,
	    errlen);
}

int
store_user_remove(struct store *s, const char *name, char *err,
    size_t errlen)
{
	/* The tokens row goes with it: ON DELETE CASCADE. */
	return store_user_change(s, "DELETE FROM users WHERE name = ?1", name,
	    0, err, errlen);
}
