/* Names of modes, backends and token states, as the CLI and JSON show. */
#include <stddef.h>
#include <string.h>

#include "auth/auth.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const auth_mode_names[] = {
	[AUTH_MODE_DELEGATED] = "delegated",
	[AUTH_MODE_ROPC] = "ropc",
	[AUTH_MODE_APP] = "app",
	[AUTH_MODE_ONPREM] = "onprem",
};

/* For messages; keep in step with the table above. */
static const char auth_mode_list[] = "delegated, ropc, app or onprem";

static const char *const auth_backend_names[] = {
	[AUTH_BACKEND_EWS] = "ews",
	[AUTH_BACKEND_GRAPH] = "graph",
};

static const char auth_backend_list[] = "ews or graph";

static const char *const auth_token_state_names[] = {
	[AUTH_TOKEN_NONE] = "none",
	[AUTH_TOKEN_VALID] = "valid",
	[AUTH_TOKEN_REFRESHING] = "refreshing",
	[AUTH_TOKEN_NEEDS_LOGIN] = "needs-login",
	[AUTH_TOKEN_ERROR] = "error",
};

static const char *
names_get(const char *const *names, size_t n, int value)
{
	if (value < 0 || (size_t)value >= n)
		return NULL;
	return names[value];
}

static int
names_find(const char *const *names, size_t n, const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
auth_mode_name(enum auth_mode mode)
{
	return names_get(auth_mode_names, NITEMS(auth_mode_names), mode);
}

int
auth_mode_byname(const char *name)
{
	return names_find(auth_mode_names, NITEMS(auth_mode_names), name);
}

const char *
auth_mode_choices(void)
{
	return auth_mode_list;
}

const char *
auth_backend_name(enum auth_backend backend)
{
	if (backend == AUTH_BACKEND_DEFAULT)
		return "default";
	return names_get(auth_backend_names, NITEMS(auth_backend_names),
	    backend);
}

int
auth_backend_byname(const char *name)
{
	return names_find(auth_backend_names, NITEMS(auth_backend_names),
	    name);
}

const char *
auth_backend_choices(void)
{
	return auth_backend_list;
}

const char *
auth_token_state_name(enum auth_token_state state)
{
	return names_get(auth_token_state_names,
	    NITEMS(auth_token_state_names), state);
}

int
auth_token_state_byname(const char *name)
{
	return names_find(auth_token_state_names,
	    NITEMS(auth_token_state_names), name);
}
