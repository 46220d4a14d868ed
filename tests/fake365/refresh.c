/*
 * fake365 refresh tokens: opaque random strings remembered with their
 * user, client and scope. Every refresh answers with a new one; the old
 * one stays valid (as in Entra) until it expires or the user's sessions
 * are revoked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tests/fake365/fake365.h"

#define REFRESH_CHARS	320

struct refresh {
	struct refresh	*next;
	char		 token[8 + REFRESH_CHARS + 1];
	int		 user;
	char		 client[64];
	char		 scope[512];
	time_t		 issued;
	int		 revoked;
};

static struct refresh	*refreshes;

static struct refresh *
refresh_find(const char *token)
{
	for (struct refresh *r = refreshes; r != NULL; r = r->next)
		if (strcmp(r->token, token) == 0)
			return r;
	return NULL;
}

const char *
refresh_issue(int user, const char *client, const char *scope)
{
	struct refresh	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	memcpy(r->token, "1.AXEA-", 7);
	rand_b64url(r->token + 7, REFRESH_CHARS);
	r->user = user;
	snprintf(r->client, sizeof(r->client), "%s", client);
	snprintf(r->scope, sizeof(r->scope), "%s", scope);
	r->issued = time(NULL);
	r->next = refreshes;
	refreshes = r;
	return r->token;
}

void
refresh_free(void)
{
	struct refresh	*r;

	while ((r = refreshes) != NULL) {
		refreshes = r->next;
		free(r);
	}
}

int
refresh_revoke(int user)
{
	int	 n = 0;

	for (struct refresh *r = refreshes; r != NULL; r = r->next)
		if (r->user == user && !r->revoked) {
			r->revoked = 1;
			n++;
		}
	return n;
}

int
refresh_user(struct evkeyvalq *q)
{
	const char	*token = evhttp_find_header(q, "refresh_token");
	struct refresh	*r = token ? refresh_find(token) : NULL;

	return r ? r->user : -1;
}

static void
refresh_stamp(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%m/%d/%Y %H:%M:%S", &tm);
}

/* grant_type=refresh_token */
void
refresh_grant(struct fx *fx, struct evkeyvalq *q)
{
	struct refresh	*r;
	struct scope	 sc;
	const char	*token, *scope, *error, *text;
	char		 issued[32];
	time_t		 now = time(NULL);
	int		 aadsts;

	if ((token = identity_param(fx, q, "refresh_token")) == NULL)
		return;
	if ((r = refresh_find(token)) == NULL ||
	    strcmp(r->client, evhttp_find_header(q, "client_id")) != 0) {
		aad_error(fx, 400, "invalid_grant", 70000, "The provided value "
		    "for the input parameter 'refresh_token' or 'assertion' "
		    "is not valid.");
		return;
	}
	refresh_stamp(r->issued, issued, sizeof(issued));
	if (r->revoked) {
		aad_error(fx, 400, "invalid_grant", 50173, "The provided grant "
		    "has expired due to it being revoked, a fresh auth token "
		    "is needed. The user might have changed or reset their "
		    "password. The grant was issued on '%s' and the "
		    "TokensValidFrom date (before which tokens are not valid) "
		    "for this user is later.", issued);
		return;
	}
	if (now - r->issued > fake.refresh_lifetime) {
		aad_error(fx, 400, "invalid_grant", 700082, "The refresh token "
		    "has expired due to inactivity. The token was issued on "
		    "%s and was inactive for %ld seconds.", issued,
		    fake.refresh_lifetime);
		return;
	}
	if ((scope = evhttp_find_header(q, "scope")) == NULL || *scope == '\0')
		scope = r->scope;
	if (scope_parse(scope, &sc, &error, &aadsts, &text) == -1) {
		aad_error(fx, 400, error, aadsts, "%s", text);
		return;
	}
	sc.offline = 1;		/* a refresh always rotates */
	aad_issue(fx, r->user, r->client, &sc);
}
