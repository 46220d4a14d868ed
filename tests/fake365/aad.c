/*
 * fake365 identity platform answers: the error body of every failure
 * (all fields Entra sends) and the token response of every success.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "log.h"
#include "tests/fake365/fake365.h"

/* Tenant segments other than ours that Entra answers specially. */
static const struct {
	const char	*name;
	int		 aadsts;	/* 0: accepted */
} aad_tenants[] = {
	{ "organizations", 0 },
	{ "common", 50194 },
	{ "consumers", 50194 },
};

static void
aad_stamp(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* The client's client-request-id when it is a GUID, else a new one. */
static void
aad_correlation(struct fx *fx, char out[37])
{
	const char	*c = fx_header(fx, "client-request-id");

	if (c != NULL && strlen(c) == 36 &&
	    strspn(c, "0123456789abcdefABCDEF-") == 36) {
		memcpy(out, c, 37);
		fx_add_header(fx, "client-request-id", c);
	} else
		rand_guid(out);
}

static void
aad_verror(struct fx *fx, int status, const char *error, int aadsts,
    const char *suberror, const char *fmt, va_list ap)
{
	json_t	*j;
	char	 text[768], desc[1024], trace[37], corr[37], stamp[32];
	char	 uri[80];

	vsnprintf(text, sizeof(text), fmt, ap);
	rand_guid(trace);
	aad_correlation(fx, corr);
	aad_stamp(time(NULL), stamp, sizeof(stamp));
	snprintf(desc, sizeof(desc), "%s%.0d%s%s\r\nTrace ID: %s\r\n"
	    "Correlation ID: %s\r\nTimestamp: %s", aadsts ? "AADSTS" : "",
	    aadsts, aadsts ? ": " : "", text, trace, corr, stamp);
	snprintf(uri, sizeof(uri),
	    "https://login.microsoftonline.com/error?code=%d", aadsts);
	j = json_pack("{s:s, s:s, s:[], s:s, s:s, s:s}", "error", error,
	    "error_description", desc, "error_codes", "timestamp", stamp,
	    "trace_id", trace, "correlation_id", corr);
	if (j != NULL && aadsts != 0) {
		json_array_append_new(json_object_get(j, "error_codes"),
		    json_integer(aadsts));
		json_object_set_new(j, "error_uri", json_string(uri));
	}
	if (j != NULL && suberror != NULL)
		json_object_set_new(j, "suberror", json_string(suberror));
	json_object_set_new(fx->fx_log, "error", json_string(error));
	if (aadsts != 0)
		json_object_set_new(fx->fx_log, "aadsts",
		    json_integer(aadsts));
	fx_add_header(fx, "x-ms-request-id", trace);
	fx_reply_json(fx, status, j);
}

void
aad_error(struct fx *fx, int status, const char *error, int aadsts,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	aad_verror(fx, status, error, aadsts, NULL, fmt, ap);
	va_end(ap);
}

void
aad_error_sub(struct fx *fx, int status, const char *error, int aadsts,
    const char *suberror, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	aad_verror(fx, status, error, aadsts, suberror, fmt, ap);
	va_end(ap);
}

int
aad_tenant(struct fx *fx, const char *tenant)
{
	if (strcasecmp(tenant, fake.tenant) == 0 ||
	    strcasecmp(tenant, FAKE_TENANT_DOMAIN) == 0)
		return 0;
	for (size_t i = 0; i < NELEM(aad_tenants); i++) {
		if (strcasecmp(tenant, aad_tenants[i].name) != 0)
			continue;
		if (aad_tenants[i].aadsts == 0)
			return 0;
		aad_error(fx, 400, "invalid_request", aad_tenants[i].aadsts,
		    "Application '%s'(ewsgw) is not configured as a "
		    "multi-tenant application. Usage of the /%s endpoint is "
		    "not supported for such applications created after "
		    "'10/15/2018'. Use a tenant-specific endpoint or "
		    "configure the application to be multi-tenant.",
		    fake.client_id, aad_tenants[i].name);
		return -1;
	}
	aad_error(fx, 400, "invalid_request", 90002, "Tenant '%.64s' not "
	    "found. Check to make sure you have the correct tenant ID and are "
	    "signing into the correct cloud. Check with your subscription "
	    "administrator, this may happen if there are no active "
	    "subscriptions for the tenant.", tenant);
	return -1;
}

/* The pairwise subject of USER for CLIENT, as Entra derives one. */
static char *
aad_sub(const struct dir_user *u, const char *client)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 len;
	char		 in[160];

	snprintf(in, sizeof(in), "%s|%s", u->oid, client);
	if (EVP_Digest(in, strlen(in), md, &len, EVP_sha256(), NULL) != 1)
		return NULL;
	return b64url_encode(md, 32);
}

/* The access token's claims (v1.0 token, as EXO and Graph get them). */
static json_t *
aad_access_claims(const struct dir_user *u, const char *client,
    const struct scope *sc, time_t now, const char *sub)
{
	char	 sid[37], uti[23];

	rand_guid(sid);
	rand_b64url(uti, 22);
	/* 23 claims */
	return json_pack("{s:s, s:s++, s:I, s:I, s:I, s:s, s:[s], s:s, s:s,"
	    " s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:s}",
	    "aud", sc->aud, "iss", "https://sts.windows.net/", fake.tenant, "/",
	    "iat", (json_int_t)now, "nbf", (json_int_t)now,
	    "exp", (json_int_t)(now + fake.token_lifetime),
	    "acr", "1", "amr", "pwd", "app_displayname", "ewsgw",
	    "appid", client, "appidacr", "0",
	    "family_name", u->surname ? u->surname : "",
	    "given_name", u->given ? u->given : "", "ipaddr", "127.0.0.1",
	    "name", u->name, "oid", u->oid, "scp", sc->scp, "sid", sid,
	    "sub", sub, "tid", fake.tenant, "unique_name", u->upn,
	    "upn", u->upn, "uti", uti, "ver", "1.0");
}

static json_t *
aad_id_claims(const struct dir_user *u, const char *client, time_t now,
    const char *sub)
{
	return json_pack("{s:s, s:s++, s:I, s:I, s:I, s:s, s:s, s:s, s:s,"
	    " s:s, s:s}",
	    "aud", client, "iss", "https://login.microsoftonline.com/",
	    fake.tenant, "/v2.0", "iat", (json_int_t)now,
	    "nbf", (json_int_t)now, "exp", (json_int_t)(now + 3600),
	    "name", u->name, "oid", u->oid, "preferred_username", u->upn,
	    "sub", sub, "tid", fake.tenant, "ver", "2.0");
}

void
aad_issue(struct fx *fx, int user, const char *client, const struct scope *sc)
{
	const struct dir_user	*u = dir_user_at(user);
	json_t			*claims = NULL, *idc = NULL, *j = NULL;
	char			*sub = NULL, *at = NULL, *idt = NULL;
	const char		*rt;
	time_t			 now = time(NULL);

	if (u == NULL || (sub = aad_sub(u, client)) == NULL ||
	    (claims = aad_access_claims(u, client, sc, now, sub)) == NULL ||
	    (at = jwt_sign(claims)) == NULL)
		goto fail;
	j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "token_type", "Bearer",
	    "scope", sc->granted, "expires_in",
	    (json_int_t)fake.token_lifetime, "ext_expires_in",
	    (json_int_t)fake.token_lifetime, "access_token", at);
	if (j == NULL)
		goto fail;
	if (sc->offline) {
		if ((rt = refresh_issue(user, client, sc->asked)) == NULL)
			goto fail;
		json_object_set_new(j, "refresh_token", json_string(rt));
	}
	if (sc->openid) {
		if ((idc = aad_id_claims(u, client, now, sub)) == NULL ||
		    (idt = jwt_sign(idc)) == NULL)
			goto fail;
		json_object_set_new(j, "id_token", json_string(idt));
	}
	reqlog_issued(at);
	reqlog_issued(json_string_value(json_object_get(j, "refresh_token")));
	reqlog_issued(json_string_value(json_object_get(j, "id_token")));
	json_object_set_new(fx->fx_log, "user", json_string(u->upn));
	fx_reply_json(fx, 200, j);
	j = NULL;
	goto done;
fail:
	aad_error(fx, 500, "server_error", 90033, "A transient error has "
	    "occurred. Please try again.");
done:
	json_decref(claims);
	json_decref(idc);
	json_decref(j);
	free(sub);
	free(at);
	free(idt);
}
