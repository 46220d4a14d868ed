/*
 * fake365 EWS authentication: the bearer token must be one of ours,
 * signed, current, for Exchange Online, delegated with
 * EWS.AccessAsUser.All, and name a user of the directory. Anything else
 * gets Exchange Online's 401: empty body, a Bearer challenge (never
 * Basic: Basic is off in EXO) and x-ms-diagnostics.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tests/fake365/ews.h"

#define EWS_CHALLENGE \
	"Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", " \
	"trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", " \
	"token_types=\"app_asserted_user_v1 service_asserted_app_v1\", " \
	"authorization_uri=\"https://login.windows.net/common/oauth2/" \
	"authorize\", error=\"invalid_token\""

static const struct {
	int		 diag;
	const char	*category;
} auth_diags[] = {
	{ 2000001, "invalid_token" },
	{ 2000003, "invalid_resource" },
	{ 2000004, "invalid_tenant" },
	{ 2000005, "invalid_user" },
	{ 2000008, "invalid_grant" },
};

/* Audiences EWS in EXO accepts. */
static const char *const auth_audiences[] = {
	FAKE_EWS_AUD, FAKE_EWS_AUD "/", "https://outlook.office.com",
	"https://outlook.office.com/", "00000002-0000-0ff1-ce00-000000000000",
	FAKE_EWS_AUD_GCCH, FAKE_EWS_AUD_DOD, FAKE_EWS_AUD_CHINA,
};

static void
auth_reject(struct fx *fx, int diag, const char *reason)
{
	const char	*cat = "invalid_token";
	char		 v[384], rid[37];

	for (size_t i = 0; i < NELEM(auth_diags); i++)
		if (auth_diags[i].diag == diag)
			cat = auth_diags[i].category;
	snprintf(v, sizeof(v), "%d;reason=\"%s\";error_category=\"%s\"",
	    diag, reason, cat);
	rand_guid(rid);
	json_object_set_new(fx->fx_log, "token_error", json_string(reason));
	fx_add_header(fx, "request-id", rid);
	fx_add_header(fx, "X-BackEndHttpStatus", "401");
	fx_add_header(fx, "x-ms-diagnostics", v);
	fx_add_header(fx, "WWW-Authenticate", EWS_CHALLENGE);
	fx_reply(fx, 401, NULL, NULL);
}

void
ews_401(struct fx *fx, int diag)
{
	auth_reject(fx, diag, "The token is invalid.");
}

static int
auth_audience(const char *aud)
{
	for (size_t i = 0; aud != NULL && i < NELEM(auth_audiences); i++)
		if (strcmp(aud, auth_audiences[i]) == 0)
			return 1;
	return 0;
}

/* 1 when space-separated LIST holds WORD. */
static int
auth_has(const char *list, const char *word)
{
	char	 buf[512], *w, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (strcmp(w, word) == 0)
			return 1;
	return 0;
}

/* 1 when the roles claim (an array) holds ROLE. */
static int
auth_role(json_t *c, const char *role)
{
	json_t	*r = json_object_get(c, "roles"), *v;
	size_t	 i;

	json_array_foreach(r, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), role) ==
		    0)
			return 1;
	return 0;
}

/* The checks after the signature: 0, or the diagnostic with *REASON;
 * *USER is -1 for an app-only token (roles full_access_as_app). */
static int
auth_claims(json_t *c, const char **reason, int *user, json_t *fx_log)
{
	json_int_t	 now = time(NULL);
	const char	*iss = json_string_value(json_object_get(c, "iss"));
	const char	*tid = json_string_value(json_object_get(c, "tid"));
	const char	*upn = json_string_value(json_object_get(c, "upn"));
	char		 want[128];

	snprintf(want, sizeof(want), "https://sts.windows.net/%s/",
	    fake.tenant);
	*reason = "The token has expired.";
	if (!json_is_integer(json_object_get(c, "exp")) ||
	    now >= json_integer_value(json_object_get(c, "exp")))
		return 2000001;
	*reason = "The token is not yet valid.";
	if (!json_is_integer(json_object_get(c, "nbf")) ||
	    now < json_integer_value(json_object_get(c, "nbf")))
		return 2000001;
	*reason = "The audience claim value is invalid.";
	if (!auth_audience(json_string_value(json_object_get(c, "aud"))))
		return 2000003;
	*reason = "The issuer or tenant of the token is not valid.";
	if (iss == NULL || strcmp(iss, want) != 0 || tid == NULL ||
	    strcmp(tid, fake.tenant) != 0)
		return 2000004;
	if (json_object_get(c, "scp") == NULL && auth_role(c,
	    "full_access_as_app")) {
		*user = -1;	/* app-only: the mailbox is impersonated */
		json_object_set_new(fx_log, "app", json_true());
		return 0;
	}
	*reason = "The token has no EWS.AccessAsUser.All permission.";
	if (!auth_has(json_string_value(json_object_get(c, "scp")),
	    FAKE_EWS_SCP))
		return 2000008;
	*reason = "The user specified by the user-context in the token does "
	    "not exist.";
	if (upn == NULL || (*user = dir_user_byupn(upn)) == -1)
		return 2000005;
	return 0;
}

int
ews_auth(struct fx *fx, int *user)
{
	const char	*auth = fx_header(fx, "Authorization"), *why;
	json_t		*claims;
	int		 diag;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
		auth_reject(fx, 2000001, auth == NULL ? "The token is "
		    "missing." : "Only Bearer tokens are accepted: basic "
		    "authentication is disabled.");
		return -1;
	}
	auth += 7 + strspn(auth + 7, " ");
	if ((claims = jwt_verify(auth, &why)) == NULL) {
		auth_reject(fx, 2000001, why);
		return -1;
	}
	if (json_is_string(json_object_get(claims, "upn")))
		json_object_set(fx->fx_log, "upn", json_object_get(claims,
		    "upn"));
	if (json_is_string(json_object_get(claims, "aud")))
		json_object_set(fx->fx_log, "aud", json_object_get(claims,
		    "aud"));
	diag = auth_claims(claims, &why, user, fx->fx_log);
	json_decref(claims);
	if (diag != 0) {
		auth_reject(fx, diag, why);
		return -1;
	}
	return 0;
}
