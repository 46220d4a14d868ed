/*
 * fake365 token endpoint: POST /{tenant}/oauth2/v2.0/token. Checks what
 * every grant shares (form body, client, no secret from a public client,
 * armed faults), then hands over to the grant's own handler.
 */
#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tests/fake365/fake365.h"

static const struct grant {
	const char	*type;
	void		(*fn)(struct fx *, struct evkeyvalq *);
	int		(*user)(struct evkeyvalq *);	/* for fault filters */
} identity_grants[] = {
	{ "urn:ietf:params:oauth:grant-type:device_code", device_grant,
	    device_user },
	{ "refresh_token", refresh_grant, refresh_user },
	{ "password", password_grant, password_user },
	{ "client_credentials", client_grant, client_user },
	{ "authorization_code", authcode_grant, authcode_user },
};

/* How armed faults answer a token request. */
static const struct {
	enum fault_kind	 kind;
	int		 status;
	const char	*error;
	int		 aadsts;
	const char	*text;
} identity_faults[] = {
	{ FAULT_HTTP503, 503, "temporarily_unavailable", 90033,
	    "A transient error has occurred. Please try again." },
	{ FAULT_HTTP401, 401, "invalid_client", 7000215,
	    "Invalid client secret provided. Ensure the secret being sent in "
	    "the request is the client secret value, not the client secret "
	    "ID." },
	{ FAULT_BUSY, 429, "temporarily_unavailable", 90055,
	    "TenantThrottlingError: There are too many incoming requests." },
	{ FAULT_INVALID_GRANT, 400, "invalid_grant", 70000,
	    "The provided grant is invalid or malformed." },
};

const char *
identity_param(struct fx *fx, struct evkeyvalq *q, const char *name)
{
	const char	*v = evhttp_find_header(q, name);

	if (v != NULL && *v != '\0')
		return v;
	aad_error(fx, 400, "invalid_request", 900144, "The request body must "
	    "contain the following parameter: '%s'.", name);
	return NULL;
}

int
identity_client(struct fx *fx, const char *client)
{
	if (strcmp(client, fake.client_id) == 0)
		return 0;
	aad_error(fx, 400, "unauthorized_client", 700016, "Application with "
	    "identifier '%.64s' was not found in the directory 'Contoso'. "
	    "This can happen if the application has not been installed by "
	    "the administrator of the tenant or consented to by any user in "
	    "the tenant. You may have sent your authentication request to the "
	    "wrong tenant.", client);
	return -1;
}

static void
identity_fault(struct fx *fx, const struct fault_hit *hit)
{
	char	 s[24];

	if (hit->kind == FAULT_DOWN) {
		fx_drop(fx);
		return;
	}
	for (size_t i = 0; i < NELEM(identity_faults); i++) {
		if (identity_faults[i].kind != hit->kind)
			continue;
		if (hit->kind == FAULT_BUSY) {
			snprintf(s, sizeof(s), "%ld",
			    (hit->backoff_ms + 999) / 1000);
			fx_add_header(fx, "Retry-After", s);
		}
		aad_error(fx, identity_faults[i].status,
		    identity_faults[i].error, hit->aadsts ? hit->aadsts :
		    identity_faults[i].aadsts, "%s", identity_faults[i].text);
		return;
	}
	aad_error(fx, 500, "server_error", 90033, "A transient error has "
	    "occurred. Please try again.");
}

void
identity_token(struct fx *fx)
{
	struct evkeyvalq	 q;
	const struct grant	*g = NULL;
	const struct dir_user	*u;
	struct fault_hit	 hit;
	const char		*type, *client;

	fx->fx_delay_ms = fake.token_delay_ms;
	if (fx_form(fx, &q) == -1) {
		evhttp_clear_headers(&q);
		aad_error(fx, 400, "invalid_request", 900144, "The request "
		    "body must contain the following parameter: "
		    "'grant_type'.");
		return;
	}
	type = evhttp_find_header(&q, "grant_type");
	client = evhttp_find_header(&q, "client_id");
	if (type != NULL)
		json_object_set_new(fx->fx_log, "grant_type",
		    json_stringn(type, strnlen(type, 64)));
	if (client != NULL)
		json_object_set_new(fx->fx_log, "client_id",
		    json_stringn(client, strnlen(client, 64)));
	if ((type = identity_param(fx, &q, "grant_type")) == NULL ||
	    (client = identity_param(fx, &q, "client_id")) == NULL ||
	    identity_client(fx, client) == -1)
		goto done;
	if (!client_confidential() &&
	    (evhttp_find_header(&q, "client_secret") != NULL ||
	    evhttp_find_header(&q, "client_assertion") != NULL)) {
		aad_error(fx, 401, "invalid_client", 700025, "Client is public "
		    "so neither 'client_assertion' nor 'client_secret' should "
		    "be presented.");
		goto done;
	}
	for (size_t i = 0; i < NELEM(identity_grants); i++)
		if (strcmp(type, identity_grants[i].type) == 0)
			g = &identity_grants[i];
	if (g == NULL) {
		aad_error(fx, 400, "unsupported_grant_type", 70003, "The app "
		    "requested an unsupported grant type '%.64s'.", type);
		goto done;
	}
	if ((u = dir_user_at(g->user(&q))) != NULL)
		snprintf(fx->fx_user, sizeof(fx->fx_user), "%s", u->upn);
	if (fault_take(fx, &hit)) {
		identity_fault(fx, &hit);
		goto done;
	}
	g->fn(fx, &q);
done:
	evhttp_clear_headers(&q);
}
