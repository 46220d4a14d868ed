/*
 * The users in memory: a table of refcounted snapshots sorted by
 * lower-cased name, rebuilt whenever another connection commits to the
 * store (PRAGMA data_version, polled every AUTH_WATCH_MS). A rebuilt
 * table shares each surviving user's slot (tokens, password cache) with
 * the old one; requests holding an old snapshot finish with it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "auth/serve_int.h"
#include "conf/conf.h"
#include "log.h"

#define AUTH_NAME_MAX_BYTES	1024

static void
auth_user_free(struct auth_user *u)
{
	if (u->u_base != NULL) {	/* a ropc request's copy */
		auth_secret_free(u->u_ropc_password);
		auth_user_unref(u->u_base);
		free(u);
		return;
	}
	auth_slot_unref(u->u_slot);
	free(u->u_name);
	free(u->u_lname);
	free(u->u_mailbox);
	free(u->u_password_hash);
	free(u->u_impersonate);
	free(u);
}

void
auth_user_ref(struct auth_user *u)
{
	u->u_refs++;
}

void
auth_user_unref(struct auth_user *u)
{
	if (u == NULL || --u->u_refs > 0)
		return;
	auth_user_free(u);
}

const char *
auth_user_name(const struct auth_user *u)
{
	return (u->u_name);
}

const char *
auth_user_mailbox(const struct auth_user *u)
{
	return (u->u_mailbox);
}

enum auth_mode
auth_user_mode(const struct auth_user *u)
{
	return (u->u_mode);
}

enum auth_backend
auth_user_backend(const struct auth_user *u)
{
	return (u->u_backend);
}

static char *
auth_lower(const char *s)
{
	char	*l, *p;

	if ((l = strdup(s)) == NULL)
		return (NULL);
	for (p = l; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return (l);
}

static struct auth_user *
auth_table_find(const struct auth_table *t, const char *lname)
{
	size_t	 lo = 0, hi, mid;
	int	 c;

	if (t == NULL)
		return (NULL);
	hi = t->t_n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(lname, t->t_users[mid]->u_lname);
		if (c == 0)
			return (t->t_users[mid]);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

static int
auth_user_cmp(const void *a, const void *b)
{
	const struct auth_user	*const *ua = a, *const *ub = b;

	return (strcmp((*ua)->u_lname, (*ub)->u_lname));
}

/* Shares the slot of OLD's user with the same name and id, if any. */
static struct auth_user *
auth_user_new(struct auth *a, const struct store_user *row,
    const struct auth_table *old)
{
	struct auth_user	*u, *prev;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return (NULL);
	u->u_refs = 1;
	u->u_id = row->id;
	u->u_mode = row->mode;
	u->u_backend = row->backend == AUTH_BACKEND_DEFAULT ?
	    (enum auth_backend)a->a_conf->backend : row->backend;
	u->u_enabled = row->enabled;
	u->u_token_generation = row->token_generation;
	if ((u->u_name = strdup(row->name)) == NULL ||
	    (u->u_lname = auth_lower(row->name)) == NULL ||
	    (u->u_mailbox = strdup(row->mailbox != NULL ?
	    row->mailbox : "")) == NULL)
		goto fail;
	if (row->password_hash != NULL &&
	    (u->u_password_hash = strdup(row->password_hash)) == NULL)
		goto fail;
	if (row->impersonate != NULL &&
	    (u->u_impersonate = strdup(row->impersonate)) == NULL)
		goto fail;

	/* Ids may be reused after a remove: the name must match too. */
	prev = auth_table_find(old, u->u_lname);
	if (prev != NULL && prev->u_id == row->id) {
		u->u_slot = prev->u_slot;
		auth_slot_ref(u->u_slot);
		auth_slot_generation(u->u_slot, row->token_state,
		    row->token_error, row->token_generation);
	} else {
		u->u_slot = auth_slot_new(a, row->id, row->name,
		    row->token_state, row->token_error,
		    row->token_generation);
		if (u->u_slot == NULL)
			goto fail;
	}
	return (u);

 fail:
	auth_user_free(u);
	return (NULL);
}

static void
auth_table_free(struct auth_table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->t_n; i++)
		auth_user_unref(t->t_users[i]);
	free(t->t_users);
	free(t);
}

static struct auth_table *
auth_table_build(struct auth *a, const struct store_user *rows, size_t n,
    const struct auth_table *old)
{
	struct auth_table	*t;
	size_t			 i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->t_users = calloc(n > 0 ? n : 1, sizeof(*t->t_users))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((t->t_users[t->t_n] = auth_user_new(a, &rows[i],
		    old)) == NULL)
			goto fail;
		t->t_n++;
	}
	qsort(t->t_users, t->t_n, sizeof(*t->t_users), auth_user_cmp);
	return (t);

 fail:
	auth_table_free(t);
	return (NULL);
}

static int
auth_users_reload(struct auth *a, char *err, size_t errlen)
{
	struct store_user	*rows = NULL;
	struct auth_table	*t, *old;
	size_t			 n = 0;

	if (store_users_list(a->a_store, &rows, &n, err, errlen) == -1)
		return (-1);
	t = auth_table_build(a, rows, n, a->a_table);
	store_users_free(rows, n);
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	old = a->a_table;
	a->a_table = t;
	auth_table_free(old);
	log_info("users reloaded: %zu user%s", n, n == 1 ? "" : "s");
	return (0);
}

static void
auth_users_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct auth	*a = arg;
	int64_t		 v;
	char		 err[256];

	if ((v = store_data_version(a->a_store)) == -1) {
		snprintf(err, sizeof(err), "cannot read the data version");
		goto fail;
	}
	if (v == a->a_version)
		return;
	if (auth_users_reload(a, err, sizeof(err)) == -1)
		goto fail;	/* a_version unchanged: retried next tick */
	a->a_version = v;
	a->a_watch_failing = 0;
	return;

 fail:
	if (!a->a_watch_failing)
		log_warnx("users: reload failed: %s", err);
	a->a_watch_failing = 1;
}

int
auth_users_load(struct auth *a, char *err, size_t errlen)
{
	struct timeval	 tv = { 0, AUTH_WATCH_MS * 1000 };

	/* Read the version first: a commit racing the load means one more
	 * reload, never a missed one. */
	if ((a->a_version = store_data_version(a->a_store)) == -1) {
		snprintf(err, errlen, "cannot read the store's data version");
		return (-1);
	}
	if (auth_users_reload(a, err, errlen) == -1)
		return (-1);
	a->a_watch = event_new(a->a_base, -1, EV_PERSIST, auth_users_watch_cb,
	    a);
	if (a->a_watch == NULL || event_add(a->a_watch, &tv) == -1) {
		snprintf(err, errlen, "cannot start the user watch");
		return (-1);
	}
	return (0);
}

void
auth_users_unload(struct auth *a)
{
	if (a->a_watch != NULL) {
		event_free(a->a_watch);
		a->a_watch = NULL;
	}
	auth_table_free(a->a_table);
	a->a_table = NULL;
}

struct auth_user *
auth_user_byname(struct auth *a, const char *name)
{
	struct auth_user	*u;
	char			 lname[AUTH_NAME_MAX_BYTES + 1];
	size_t			 i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i == AUTH_NAME_MAX_BYTES)
			return (NULL);
		lname[i] = tolower((unsigned char)name[i]);
	}
	lname[i] = '\0';
	if ((u = auth_table_find(a->a_table, lname)) != NULL)
		auth_user_ref(u);
	return (u);
}
