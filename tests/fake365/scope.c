/*
 * fake365 scopes: one resource per request (plus the OpenID Connect
 * scopes), as Entra insists; which permissions a token carries.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tests/fake365/fake365.h"

static const char *const scope_ews_perms[] = {
	FAKE_EWS_SCP, ".default", NULL
};

static const struct scope_resource {
	const char		*prefix;	/* "" for bare Graph names */
	const char		*aud;
	const char *const	*perms;		/* NULL: any name */
} scope_resources[] = {
	{ FAKE_EWS_AUD "/", FAKE_EWS_AUD, scope_ews_perms },
	{ "https://outlook.office.com/", "https://outlook.office.com",
	    scope_ews_perms },
	/* The national clouds' EWS resources (office365.md 1.12): on
	 * loopback the fake plays whichever cloud ewsgw is pointed at, and
	 * its tokens name the resource asked for, as that cloud's would. */
	{ FAKE_EWS_AUD_GCCH "/", FAKE_EWS_AUD_GCCH, scope_ews_perms },
	{ FAKE_EWS_AUD_DOD "/", FAKE_EWS_AUD_DOD, scope_ews_perms },
	{ FAKE_EWS_AUD_CHINA "/", FAKE_EWS_AUD_CHINA, scope_ews_perms },
	{ FAKE_GRAPH_AUD "/", FAKE_GRAPH_AUD, NULL },
	{ "", FAKE_GRAPH_AUD, NULL },
};

static const struct {
	const char	*name;
	size_t		 flag;	/* offset of the int it sets, or 0 */
} scope_oidc[] = {
	{ "openid", offsetof(struct scope, openid) },
	{ "offline_access", offsetof(struct scope, offline) },
	{ "profile", 0 },
	{ "email", 0 },
};

static int
scope_oidc_take(const char *word, struct scope *sc)
{
	for (size_t i = 0; i < NELEM(scope_oidc); i++) {
		if (strcasecmp(word, scope_oidc[i].name) != 0)
			continue;
		if (scope_oidc[i].flag != 0)
			*(int *)((char *)sc + scope_oidc[i].flag) = 1;
		return 1;
	}
	return 0;
}

static const struct scope_resource *
scope_resource(const char *word)
{
	int	 uri = strstr(word, "://") != NULL;

	for (size_t i = 0; i < NELEM(scope_resources); i++) {
		const char *p = scope_resources[i].prefix;

		if (*p == '\0' ? !uri : strncasecmp(word, p, strlen(p)) == 0)
			return &scope_resources[i];
	}
	return NULL;
}

static int
scope_perm_ok(const struct scope_resource *r, const char *perm)
{
	if (*perm == '\0' || strchr(perm, '/') != NULL)
		return 0;
	if (r->perms == NULL)
		return 1;
	for (size_t i = 0; r->perms[i] != NULL; i++)
		if (strcasecmp(perm, r->perms[i]) == 0)
			return 1;
	return 0;
}

/* 1 when space-separated LIST holds WORD. */
static int
scope_has(const char *list, const char *word)
{
	size_t	 n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Appends " WORD" (or "WORD") to BUF; -1 when it does not fit. */
static int
scope_append(char *buf, size_t len, const char *a, const char *b)
{
	size_t	 n = strlen(buf);
	int	 w;

	w = snprintf(buf + n, len - n, "%s%s%s", n ? " " : "", a, b);
	return w < 0 || (size_t)w >= len - n ? -1 : 0;
}

int
scope_parse(const char *s, struct scope *sc, const char **error, int *aadsts,
    const char **text)
{
	const struct scope_resource	*r, *first = NULL;
	char				 copy[512], *word, *save = NULL;
	const char			*perm;

	memset(sc, 0, sizeof(*sc));
	*error = "invalid_scope";
	*aadsts = 70011;
	*text = "The provided value for the input parameter 'scope' is not "
	    "valid.";
	if (snprintf(copy, sizeof(copy), "%s", s) >= (int)sizeof(copy))
		return -1;
	snprintf(sc->asked, sizeof(sc->asked), "%s", s);
	for (word = strtok_r(copy, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		if (scope_oidc_take(word, sc))
			continue;
		if ((r = scope_resource(word)) == NULL) {
			*error = "invalid_resource";
			*aadsts = 500011;
			*text = "The resource principal named in the scope was "
			    "not found in the tenant named Contoso. This can "
			    "happen if the application has not been installed "
			    "by the administrator of the tenant or consented "
			    "to by any user in the tenant.";
			return -1;
		}
		if (first != NULL && strcmp(first->aud, r->aud) != 0) {
			*text = "The provided value for the input parameter "
			    "'scope' is not valid: it contains more than one "
			    "resource.";
			return -1;
		}
		first = r;
		perm = word + strlen(r->prefix);
		if (!scope_perm_ok(r, perm))
			return -1;
		if (r->perms == scope_ews_perms)
			perm = FAKE_EWS_SCP;
		if (!scope_has(sc->scp, perm) &&
		    (scope_append(sc->scp, sizeof(sc->scp), perm, "") == -1 ||
		    scope_append(sc->granted, sizeof(sc->granted),
		    *r->prefix ? r->prefix : FAKE_GRAPH_AUD "/", perm) == -1))
			return -1;
	}
	if (first == NULL) {
		/* OpenID Connect scopes alone: Graph's User.Read */
		first = &scope_resources[NELEM(scope_resources) - 1];
		snprintf(sc->scp, sizeof(sc->scp), "User.Read");
		snprintf(sc->granted, sizeof(sc->granted),
		    FAKE_GRAPH_AUD "/User.Read");
	}
	sc->aud = first->aud;
	return 0;
}
