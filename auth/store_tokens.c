/*
 * A user's tokens, sealed under the key with an AAD naming the row and
 * column ("ewsgw:tokens:<user id>:refresh"), and a generation number that
 * every write bumps so writers can compare-and-swap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/store_int.h"

static void
store_tokens_aad(char *buf, size_t len, int64_t user_id, const char *column)
{
	snprintf(buf, len, "ewsgw:tokens:%lld:%s", (long long)user_id, column);
}

void
store_tokens_clear(struct store_tokens *t)
{
	if (t == NULL)
		return;
	auth_secret_free(t->refresh_token);
	auth_secret_free(t->access_token);
	memset(t, 0, sizeof(*t));
}

/* Unseals blob column COL into *OUT (NULL when the column is NULL). */
static int
store_tokens_column(struct store *s, sqlite3_stmt *stmt, int col,
    int64_t user_id, const char *column, char **out, char *err,
    size_t errlen)
{
	char	 aad[64];
	int	 len;

	*out = NULL;
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	store_tokens_aad(aad, sizeof(aad), user_id, column);
	len = sqlite3_column_bytes(stmt, col);
	if (unseal(s->key, aad, sqlite3_column_blob(stmt, col), (size_t)len,
	    out, NULL) == -1) {
		snprintf(err, errlen, "the stored %s token of user id %lld "
		    "cannot be decrypted (the key changed or the data was "
		    "altered): run 'ewsgw login' again", column,
		    (long long)user_id);
		return -1;
	}
	return 0;
}

int
store_tokens_load(struct store *s, int64_t user_id, struct store_tokens *out,
    char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (store_prepare(s, "SELECT refresh_token, access_token,"
	    " access_expires, generation FROM tokens WHERE user_id = ?1",
	    &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, user_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		ret = 0;	/* never signed in */
		goto done;
	}
	if (rc != SQLITE_ROW) {
		store_sqlerr(s, rc, err, errlen);
		goto done;
	}
	if (store_tokens_column(s, stmt, 0, user_id, "refresh",
	    &out->refresh_token, err, errlen) == -1 ||
	    store_tokens_column(s, stmt, 1, user_id, "access",
	    &out->access_token, err, errlen) == -1) {
		store_tokens_clear(out);
		goto done;
	}
	out->access_expires = sqlite3_column_int64(stmt, 2);
	out->generation = sqlite3_column_int64(stmt, 3);
	ret = 0;
done:
	sqlite3_finalize(stmt);
	return ret;
}

/* The stored generation of USER_ID (0 without a tokens row). 0 / -1. */
static int
store_tokens_generation(struct store *s, int64_t user_id, int64_t *gen,
    char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	if (store_prepare(s, "SELECT u.id, t.generation FROM users u"
	    " LEFT JOIN tokens t ON t.user_id = u.id WHERE u.id = ?1",
	    &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, user_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		snprintf(err, errlen, "no such user id: %lld",
		    (long long)user_id);
	else if (rc != SQLITE_ROW)
		store_sqlerr(s, rc, err, errlen);
	else {
		*gen = sqlite3_column_int64(stmt, 1);
		ret = 0;
	}
	sqlite3_finalize(stmt);
	return ret;
}

/* Binds the sealed TOKEN to parameter IDX (NULL stays NULL). */
static int
store_tokens_bind(struct store *s, sqlite3_stmt *stmt, int idx,
    int64_t user_id, const char *column, const char *token, char *err,
    size_t errlen)
{
	unsigned char	*blob;
	size_t		 len;
	char		 aad[64];

	if (token == NULL)
		return 0;
	store_tokens_aad(aad, sizeof(aad), user_id, column);
	if (seal(s->key, aad, token, strlen(token), &blob, &len) == -1) {
		snprintf(err, errlen, "cannot seal the %s token", column);
		return -1;
	}
	if (sqlite3_bind_blob(stmt, idx, blob, (int)len, free) != SQLITE_OK) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Writes one tokens row inside the caller's transaction. KEEP_REFRESH
 * leaves the stored refresh token as it is. */
static int
store_tokens_write(struct store *s, int64_t user_id, int keep_refresh,
    const char *refresh_token, const char *access_token,
    int64_t access_expires, const char *state, const char *error,
    int64_t generation, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 ret = -1;

	if (store_prepare(s, "INSERT INTO tokens (user_id, state, error,"
	    " refresh_token, access_token, access_expires, generation,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (user_id) DO UPDATE SET"
	    " state = excluded.state, error = excluded.error,"
	    " refresh_token = CASE WHEN ?9 THEN refresh_token"
	    "  ELSE excluded.refresh_token END,"
	    " password_check = CASE WHEN NOT ?9 AND ?4 IS NULL THEN NULL"
	    "  ELSE password_check END,"
	    " access_token = excluded.access_token,"
	    " access_expires = excluded.access_expires,"
	    " generation = excluded.generation,"
	    " updated_at = excluded.updated_at", &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	if (error != NULL)
		sqlite3_bind_text(stmt, 3, error, -1, SQLITE_STATIC);
	if (store_tokens_bind(s, stmt, 4, user_id, "refresh", refresh_token,
	    err, errlen) == -1 ||
	    store_tokens_bind(s, stmt, 5, user_id, "access", access_token,
	    err, errlen) == -1)
		goto done;
	sqlite3_bind_int64(stmt, 6, access_expires);
	sqlite3_bind_int64(stmt, 7, generation);
	sqlite3_bind_int64(stmt, 8, store_now());
	sqlite3_bind_int(stmt, 9, keep_refresh);
	if (store_step(s, stmt, SQLITE_DONE, err, errlen) == -1)
		goto done;
	ret = 0;
done:
	sqlite3_finalize(stmt);
	return ret;
}

int
store_tokens_save(struct store *s, int64_t user_id, const char *refresh_token,
    const char *access_token, int64_t access_expires, int state,
    const char *error, int64_t expect_generation, int64_t *new_generation,
    char *err, size_t errlen)
{
	const char	*name;
	int64_t		 gen;
	int		 keep;

	if ((name = auth_token_state_name(state)) == NULL) {
		snprintf(err, errlen, "bad token state %d", state);
		return -1;
	}
	keep = refresh_token == NULL && state != AUTH_TOKEN_NONE &&
	    state != AUTH_TOKEN_NEEDS_LOGIN;
	if (store_begin(s, err, errlen) == -1)
		return -1;
	if (store_tokens_generation(s, user_id, &gen, err, errlen) == -1)
		goto fail;
	if (expect_generation >= 0 && gen != expect_generation) {
		store_rollback(s);
		return 1;
	}
	if (store_tokens_write(s, user_id, keep, refresh_token, access_token,
	    access_expires, name, error, gen + 1, err, errlen) == -1)
		goto fail;
	if (store_commit(s, err, errlen) == -1)
		return -1;
	if (new_generation != NULL)
		*new_generation = gen + 1;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
store_password_check_save(struct store *s, int64_t user_id,
    const char *check, int64_t generation, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 ret = -1;

	if (store_prepare(s, "UPDATE tokens SET password_check = ?2"
	    " WHERE user_id = ?1 AND generation = ?3 AND"
	    " refresh_token IS NOT NULL", &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, user_id);
	if (check != NULL)
		sqlite3_bind_text(stmt, 2, check, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, generation);
	if (store_step(s, stmt, SQLITE_DONE, err, errlen) == -1)
		goto done;
	ret = sqlite3_changes(s->db) == 1 ? 0 : 1;
done:
	sqlite3_finalize(stmt);
	return ret;
}

int
store_password_check_load(struct store *s, int64_t user_id,
    int64_t generation, char **check, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc, ret = -1;

	*check = NULL;
	if (store_prepare(s, "SELECT password_check FROM tokens"
	    " WHERE user_id = ?1 AND generation = ?2", &stmt, err,
	    errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, generation);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		store_sqlerr(s, rc, err, errlen);
	else if (store_column_dup(stmt, 0, check) == -1)
		snprintf(err, errlen, "out of memory");
	else
		ret = 0;
	sqlite3_finalize(stmt);
	return ret;
}

int
store_tokens_forget(struct store *s, int64_t user_id, char *err,
    size_t errlen)
{
	int64_t	 gen;

	if (store_tokens_generation(s, user_id, &gen, err, errlen) == -1)
		return -1;
	return store_tokens_write(s, user_id, 0, NULL, NULL, 0,
	    auth_token_state_name(AUTH_TOKEN_NONE), NULL, gen + 1, err, errlen);
}
