/* `ewsgw user list [--json]`: every user, as a table or as JSON. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "cli/user_int.h"

enum user_col {
	USER_COL_NAME,
	USER_COL_MAILBOX,
	USER_COL_MODE,
	USER_COL_BACKEND,
	USER_COL_ENABLED,
	USER_COL_TOKEN,
	USER_NCOLS,
};

static const char *const user_col_titles[USER_NCOLS] = {
	"NAME", "MAILBOX", "MODE", "BACKEND", "ENABLED", "TOKEN",
};

/* The backend requests of U go to: its own, else the config's. */
static const char *
user_backend(const struct store_user *u, const struct conf *conf)
{
	if (u->backend == AUTH_BACKEND_DEFAULT)
		return auth_backend_name((enum auth_backend)conf->backend);
	return auth_backend_name(u->backend);
}

/* The cells of one row; all borrowed from U or static. */
static void
user_cells(const struct store_user *u, const struct conf *conf,
    const char **cells)
{
	cells[USER_COL_NAME] = u->name;
	cells[USER_COL_MAILBOX] = u->mailbox;
	cells[USER_COL_MODE] = auth_mode_name(u->mode);
	cells[USER_COL_BACKEND] = user_backend(u, conf);
	cells[USER_COL_ENABLED] = u->enabled ? "yes" : "no";
	cells[USER_COL_TOKEN] = auth_token_state_name(u->token_state);
}

static void
user_print_row(const char *const *cells, const int *width)
{
	for (int c = 0; c < USER_NCOLS; c++) {
		if (c == USER_NCOLS - 1)
			printf("%s\n", cells[c]);
		else
			printf("%-*s  ", width[c], cells[c]);
	}
}

static void
user_print_table(const struct store_user *users, size_t n,
    const struct conf *conf)
{
	const char	*cells[USER_NCOLS];
	int		 width[USER_NCOLS], c;
	size_t		 i;

	for (c = 0; c < USER_NCOLS; c++)
		width[c] = (int)strlen(user_col_titles[c]);
	for (i = 0; i < n; i++) {
		user_cells(&users[i], conf, cells);
		for (c = 0; c < USER_NCOLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	user_print_row(user_col_titles, width);
	for (i = 0; i < n; i++) {
		user_cells(&users[i], conf, cells);
		user_print_row(cells, width);
	}
}

/* Sets KEY to the new value V in O; -1 when either failed. */
static int
user_json_set(json_t *o, const char *key, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(o, key, v);
}

static json_t *
user_json(const struct store_user *u, const struct conf *conf)
{
	json_t		*o;
	struct tm	 tm;
	time_t		 t;
	char		 when[32];
	int		 bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	bad |= user_json_set(o, "name", json_string(u->name));
	bad |= user_json_set(o, "mailbox", json_string(u->mailbox));
	bad |= user_json_set(o, "mode", json_string(auth_mode_name(u->mode)));
	bad |= user_json_set(o, "backend", json_string(user_backend(u, conf)));
	bad |= user_json_set(o, "enabled", json_boolean(u->enabled));
	bad |= user_json_set(o, "token",
	    json_string(auth_token_state_name(u->token_state)));
	if (u->token_error != NULL)
		bad |= user_json_set(o, "token_error",
		    json_string(u->token_error));
	if (u->access_expires > 0) {
		t = (time_t)u->access_expires;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		bad |= user_json_set(o, "token_expires", json_string(when));
	}
	bad |= user_json_set(o, "has_password",
	    json_boolean(u->password_hash != NULL));
	if (u->impersonate != NULL)
		bad |= user_json_set(o, "impersonate",
		    json_string(u->impersonate));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
user_print_json(const struct store_user *users, size_t n,
    const struct conf *conf, char *err, size_t errlen)
{
	json_t	*a;
	size_t	 i;
	int	 ret = -1;

	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, user_json(&users[i], conf)) == -1)
			goto fail;
	if (json_dumpf(a, stdout, JSON_INDENT(2)) == -1)
		goto fail;
	putchar('\n');
	ret = 0;
fail:
	if (ret == -1)
		snprintf(err, errlen, "cannot write the JSON list");
	json_decref(a);
	return ret;
}

int
user_list_print(struct store *store, const struct conf *conf, int json,
    char *err, size_t errlen)
{
	struct store_user	*users = NULL;
	size_t			 n = 0;
	int			 ret = -1;

	if (store_users_list(store, &users, &n, err, errlen) == -1)
		return -1;
	if (json)
		ret = user_print_json(users, n, conf, err, errlen);
	else {
		user_print_table(users, n, conf);
		ret = 0;
	}
	store_users_free(users, n);
	return ret;
}
