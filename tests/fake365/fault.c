/*
 * fake365 faults: failures a test arms with POST /_fake/fault, each for
 * COUNT requests to one target (optionally one user), first armed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake365/fake365.h"

#define FAULT_ON_TOKEN	0x01
#define FAULT_ON_EWS	0x02

static const struct {
	const char	*name;
	enum fault_kind	 kind;
	int		 targets;
} fault_kinds[] = {
	{ "down", FAULT_DOWN, FAULT_ON_TOKEN | FAULT_ON_EWS },
	{ "http503", FAULT_HTTP503, FAULT_ON_TOKEN | FAULT_ON_EWS },
	{ "http401", FAULT_HTTP401, FAULT_ON_TOKEN | FAULT_ON_EWS },
	{ "delay", FAULT_DELAY, FAULT_ON_TOKEN | FAULT_ON_EWS },
	{ "busy", FAULT_BUSY, FAULT_ON_TOKEN | FAULT_ON_EWS },
	{ "invalid_grant", FAULT_INVALID_GRANT, FAULT_ON_TOKEN },
};

static const struct {
	const char	*name;
	enum fx_target	 target;
	int		 flag;
} fault_targets[] = {
	{ "token", FX_TOKEN, FAULT_ON_TOKEN },
	{ "ews", FX_EWS, FAULT_ON_EWS },
};

struct fault {
	struct fault	*next;
	enum fx_target	 target;
	size_t		 kind;		/* index in fault_kinds */
	json_int_t	 count;		/* -1: until cleared */
	json_int_t	 delay_ms;
	json_int_t	 backoff_ms;
	json_int_t	 retry_after;	/* s; 0: no Retry-After */
	int		 aadsts;
	char		 user[128];
};

static struct fault	*faults;

int
fault_add(json_t *j, const char **errstr)
{
	struct fault	 f = { .count = 1, .backoff_ms = 5000 }, *nf, **pp;
	const char	*target, *kind, *user = NULL;
	size_t		 t, k;

	*errstr = "want {\"target\":\"token\"|\"ews\",\"kind\":...,"
	    "\"count\":N,\"delay_ms\":N,\"backoff_ms\":N,\"aadsts\":N,"
	    "\"user\":UPN,\"retry_after\":S}";
	if (json_unpack(j, "{s:s, s:s, s?I, s?I, s?I, s?i, s?s, s?I !}",
	    "target", &target, "kind", &kind, "count", &f.count,
	    "delay_ms", &f.delay_ms, "backoff_ms", &f.backoff_ms,
	    "aadsts", &f.aadsts, "user", &user, "retry_after",
	    &f.retry_after) == -1)
		return -1;
	for (t = 0; t < NELEM(fault_targets); t++)
		if (strcmp(target, fault_targets[t].name) == 0)
			break;
	for (k = 0; k < NELEM(fault_kinds); k++)
		if (strcmp(kind, fault_kinds[k].name) == 0)
			break;
	*errstr = "unknown target or kind, or a kind that target has not";
	if (t == NELEM(fault_targets) || k == NELEM(fault_kinds) ||
	    !(fault_kinds[k].targets & fault_targets[t].flag))
		return -1;
	*errstr = "count must be -1 or positive, delays not negative";
	if (f.count == 0 || f.count < -1 || f.delay_ms < 0 ||
	    f.delay_ms > 600000 || f.backoff_ms < 0 || f.retry_after < 0)
		return -1;
	*errstr = "no such user";
	if (user != NULL && dir_user_byupn(user) == -1)
		return -1;
	f.target = fault_targets[t].target;
	f.kind = k;
	snprintf(f.user, sizeof(f.user), "%s", user ? user : "");
	*errstr = "out of memory";
	if ((nf = malloc(sizeof(*nf))) == NULL)
		return -1;
	*nf = f;
	for (pp = &faults; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = nf;
	return 0;
}

void
fault_clear(void)
{
	struct fault	*f;

	while ((f = faults) != NULL) {
		faults = f->next;
		free(f);
	}
}

int
fault_take(struct fx *fx, struct fault_hit *hit)
{
	struct fault	**pp, *f;

	memset(hit, 0, sizeof(*hit));
	for (pp = &faults; (f = *pp) != NULL; pp = &f->next)
		if (f->target == fx->fx_target && (f->user[0] == '\0' ||
		    strcasecmp(f->user, fx->fx_user) == 0))
			break;
	if (f == NULL)
		return 0;
	hit->kind = fault_kinds[f->kind].kind;
	hit->backoff_ms = f->backoff_ms;
	hit->retry_after = f->retry_after;
	hit->aadsts = f->aadsts;
	fx->fx_delay_ms += f->delay_ms;
	json_object_set_new(fx->fx_log, "fault",
	    json_string(fault_kinds[f->kind].name));
	if (f->count > 0 && --f->count == 0) {
		*pp = f->next;
		free(f);
	}
	return hit->kind != FAULT_DELAY;
}
