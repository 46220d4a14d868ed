/*
 * The serving side of auth/: one struct auth per gateway, owning the
 * store connection, the user table, the worker pool and the counters
 * /metrics reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "auth/app_int.h"
#include "auth/serve_int.h"
#include "conf/conf.h"

struct auth *
auth_new(struct event_base *base, struct net_loop *net,
    const struct conf *conf, char *err, size_t errlen)
{
	struct auth	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	a->a_base = base;
	a->a_net = net;
	a->a_conf = conf;
	LIST_INIT(&a->a_slots);
	if (RAND_bytes(a->a_mac_key, sizeof(a->a_mac_key)) != 1) {
		snprintf(err, errlen, "cannot get random bytes");
		goto fail;
	}
	if ((a->a_store = store_open(conf->state_dir, 1, err,
	    errlen)) == NULL)
		goto fail;
	if ((a->a_worker = worker_new(base, AUTH_WORKER_THREADS,
	    AUTH_WORKER_QUEUE, err, errlen)) == NULL)
		goto fail;
	if ((a->a_app = auth_app_new(a, err, errlen)) == NULL)
		goto fail;
	if (auth_users_load(a, err, errlen) == -1)
		goto fail;
	return (a);

 fail:
	auth_free(a);
	return (NULL);
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	auth_users_unload(a);
	auth_slots_detach(a);
	auth_app_free(a->a_app);
	worker_free(a->a_worker);
	store_close(a->a_store);
	explicit_bzero(a->a_mac_key, sizeof(a->a_mac_key));
	free(a);
}

void
auth_users_by_token_state(struct auth *a, unsigned *counts, size_t n)
{
	const struct auth_table	*t = a->a_table;
	size_t			 i, s;

	memset(counts, 0, n * sizeof(*counts));
	for (i = 0; t != NULL && i < t->t_n; i++) {
		s = auth_slot_state(t->t_users[i]->u_slot);
		if (s < n)
			counts[s]++;
	}
}

void
auth_refresh_counts(struct auth *a, unsigned long *ok, unsigned long *failed)
{
	*ok = a->a_refresh_ok;
	*failed = a->a_refresh_failed;
}
