/*
 * fake365 authorization endpoint and the authorization_code grant
 * (office365.md §1.5): GET /{tenant}/oauth2/v2.0/authorize checks the
 * client and its registered redirect URI, then "signs in" as a test
 * armed it (POST /_fake/authorize) and redirects with a single-use code
 * that lives code_lifetime seconds; the token endpoint redeems it after
 * checking the PKCE verifier.
 */
#include <sys/queue.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>

#include "tests/fake365/fake365.h"

#define AUTHZ_CODE_CHARS	240
#define AUTHZ_CHALLENGE_MIN	43	/* RFC 7636 §4.1 */
#define AUTHZ_CHALLENGE_MAX	128
#define AUTHZ_URI_MAX		512

/* The app registration's redirect URIs (platform "Mobile and desktop"). */
static const char *const authz_registered[] = {
	"https://login.microsoftonline.com/common/oauth2/nativeclient",
	"http://localhost",
};

/* An issued code: what redeeming it must repeat. */
struct authz {
	struct authz	*next;
	char		 code[8 + AUTHZ_CODE_CHARS + 1];
	char		 client[64];
	char		 redirect[AUTHZ_URI_MAX];
	char		 challenge[AUTHZ_CHALLENGE_MAX + 1];	/* "": none */
	int		 plain;		/* code_challenge_method=plain */
	struct scope	 scope;
	int		 user;
	time_t		 expires;
	int		 redeemed;
};

/* What the next sign-ins do, armed by POST /_fake/authorize. */
struct authz_arm {
	struct authz_arm *next;
	int		 approve;
	int		 user;		/* -1: the login_hint's */
	long		 count;		/* -1: until cleared */
};

static struct authz	*authzs;
static struct authz_arm	*arms;

static struct authz *
authz_bycode(const char *code)
{
	for (struct authz *a = authzs; a != NULL; a = a->next)
		if (strcmp(a->code, code) == 0)
			return a;
	return NULL;
}

static void
authz_prune(time_t before)
{
	struct authz	**pp = &authzs, *a;

	while ((a = *pp) != NULL) {
		if (a->expires < before) {
			*pp = a->next;
			free(a);
		} else
			pp = &a->next;
	}
}

void
authorize_free(void)
{
	struct authz_arm	*m;

	authz_prune(LLONG_MAX);
	while ((m = arms) != NULL) {
		arms = m->next;
		free(m);
	}
}

int
authorize_arm(json_t *body, const char **errstr)
{
	const char		*action, *upn;
	struct authz_arm	*m, **pp;
	json_t			*count = json_object_get(body, "count");

	action = json_string_value(json_object_get(body, "action"));
	upn = json_string_value(json_object_get(body, "user"));
	*errstr = "want {\"action\":\"approve\"|\"decline\", \"user\":UPN "
	    "(default: the login_hint), \"count\":N}";
	if (action == NULL || (strcmp(action, "approve") != 0 &&
	    strcmp(action, "decline") != 0) ||
	    (upn != NULL && dir_user_byupn(upn) == -1) ||
	    (count != NULL && (!json_is_integer(count) ||
	    json_integer_value(count) == 0 || json_integer_value(count) < -1)))
		return -1;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	m->approve = strcmp(action, "approve") == 0;
	m->user = upn != NULL ? dir_user_byupn(upn) : -1;
	m->count = count != NULL ? (long)json_integer_value(count) : 1;
	for (pp = &arms; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = m;
	return 0;
}

/* Takes one use of the first armed decision; NULL when none. The copy
 * is valid until the next call. */
static const struct authz_arm *
authz_take(void)
{
	static struct authz_arm	 taken;
	struct authz_arm	*m = arms;

	if (m == NULL)
		return NULL;
	taken = *m;
	if (m->count > 0 && --m->count == 0) {
		arms = m->next;
		free(m);
	}
	return &taken;
}

/* Entra's error page: an error it cannot send to an unverified
 * redirect URI is shown to the person in the browser instead. */
static void
authz_page(struct fx *fx, int aadsts, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
authz_page(struct fx *fx, int aadsts, const char *fmt, ...)
{
	char	 text[768], page[1200], *esc;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	esc = evhttp_htmlescape(text);
	snprintf(page, sizeof(page), "<!DOCTYPE html>\n<html><head><title>"
	    "Sign in to your account</title></head><body>\n<h1>Sorry, but "
	    "we're having trouble signing you in.</h1>\n<p>AADSTS%d: %s</p>\n"
	    "</body></html>\n", aadsts, esc != NULL ? esc : "");
	free(esc);
	json_object_set_new(fx->fx_log, "aadsts", json_integer(aadsts));
	fx_reply_text(fx, 400, "text/html; charset=utf-8", page);
}

/* Loopback redirect URIs match whatever their port (RFC 8252 §7.3, as
 * Entra does for localhost); everything else must match exactly. */
static int
authz_uri_match(const char *registered, const char *asked)
{
	struct evhttp_uri	*r = NULL, *a = NULL;
	const char		*rp, *ap;
	int			 ok = 0;

	if (strcmp(registered, asked) == 0)
		return 1;
	if ((r = evhttp_uri_parse(registered)) == NULL ||
	    (a = evhttp_uri_parse(asked)) == NULL)
		goto done;
	rp = evhttp_uri_get_path(r);
	ap = evhttp_uri_get_path(a);
	ok = evhttp_uri_get_scheme(r) != NULL &&
	    evhttp_uri_get_scheme(a) != NULL &&
	    strcmp(evhttp_uri_get_scheme(r), "http") == 0 &&
	    strcmp(evhttp_uri_get_scheme(a), "http") == 0 &&
	    evhttp_uri_get_host(a) != NULL &&
	    strcasecmp(evhttp_uri_get_host(a), "localhost") == 0 &&
	    strcasecmp(evhttp_uri_get_host(r), "localhost") == 0 &&
	    evhttp_uri_get_port(r) == -1 &&
	    evhttp_uri_get_query(a) == NULL &&
	    strcmp(rp != NULL && *rp != '\0' ? rp : "/",
	    ap != NULL && *ap != '\0' ? ap : "/") == 0;
 done:
	if (r != NULL)
		evhttp_uri_free(r);
	if (a != NULL)
		evhttp_uri_free(a);
	return ok;
}

/* Sends the browser back to REDIRECT with FIELDS (name, value pairs,
 * NULL-terminated) after SEP ('?' or '#'), and STATE when there is one. */
static void
authz_redirect(struct fx *fx, const char *redirect, char sep,
    const char *state, const char *const *fields)
{
	struct evbuffer	*b;
	char		*v;
	size_t		 len;

	if ((b = evbuffer_new()) == NULL) {
		fx_reply_text(fx, 500, "text/plain", "out of memory\n");
		return;
	}
	evbuffer_add_printf(b, "%s", redirect);
	if (sep == '?' && strchr(redirect, '?') != NULL)
		sep = '&';
	for (; fields[0] != NULL; fields += 2) {
		v = evhttp_uriencode(fields[1], -1, 1);
		evbuffer_add_printf(b, "%c%s=%s", sep, fields[0], v ? v : "");
		free(v);
		sep = '&';
	}
	if (state != NULL) {
		v = evhttp_uriencode(state, -1, 1);
		evbuffer_add_printf(b, "&state=%s", v ? v : "");
		free(v);
	}
	len = evbuffer_get_length(b);
	v = malloc(len + 1);
	if (v != NULL) {
		evbuffer_copyout(b, v, len);
		v[len] = '\0';
		fx_add_header(fx, "Location", v);
	}
	free(v);
	evbuffer_free(b);
	fx_reply_text(fx, 302, "text/html; charset=utf-8",
	    "<html><head><title>Object moved</title></head><body>\n"
	    "<h2>Object moved to here.</h2>\n</body></html>\n");
}

/* An error on the redirect (the URI was checked), Entra's way. */
static void
authz_error(struct fx *fx, const char *redirect, char sep, const char *state,
    const char *error, int aadsts, const char *text)
{
	char	 desc[768], trace[37], corr[37];

	rand_guid(trace);
	rand_guid(corr);
	snprintf(desc, sizeof(desc), "AADSTS%d: %s\r\nTrace ID: %s\r\n"
	    "Correlation ID: %s", aadsts, text, trace, corr);
	json_object_set_new(fx->fx_log, "error", json_string(error));
	json_object_set_new(fx->fx_log, "aadsts", json_integer(aadsts));
	authz_redirect(fx, redirect, sep, state, (const char *const[]){
	    "error", error, "error_description", desc, NULL });
}

/* A new code for USER that redeeming must match; NULL out of memory. */
static struct authz *
authz_new(int user, const char *client, const char *redirect,
    const char *challenge, int plain, const struct scope *sc)
{
	struct authz	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	authz_prune(time(NULL) - 3600);
	memcpy(a->code, "0.AXEA-", 7);
	rand_b64url(a->code + 7, AUTHZ_CODE_CHARS);
	snprintf(a->client, sizeof(a->client), "%s", client);
	snprintf(a->redirect, sizeof(a->redirect), "%s", redirect);
	snprintf(a->challenge, sizeof(a->challenge), "%s",
	    challenge != NULL ? challenge : "");
	a->plain = plain;
	a->scope = *sc;
	a->user = user;
	a->expires = time(NULL) + fake.code_lifetime;
	a->next = authzs;
	authzs = a;
	reqlog_issued(a->code);
	return a;
}

/* code_challenge and its method: 0, or -1 with the AADSTS code and text. */
static int
authz_challenge(const char *challenge, const char *method, int *plain,
    int *aadsts, const char **text)
{
	size_t	 n = challenge != NULL ? strlen(challenge) : 0;

	*plain = 0;
	if (challenge == NULL)
		return 0;	/* PKCE is optional for a native client */
	if (method == NULL || strcmp(method, "plain") == 0)
		*plain = 1;	/* RFC 7636 §4.3: plain when absent */
	else if (strcmp(method, "S256") != 0) {
		*aadsts = 501478;
		*text = "Invalid code_challenge_method parameter.";
		return -1;
	}
	if (n < AUTHZ_CHALLENGE_MIN || n > AUTHZ_CHALLENGE_MAX ||
	    (!*plain && n != AUTHZ_CHALLENGE_MIN) ||
	    strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789-._~") != n) {
		*aadsts = 501491;
		*text = "Invalid size of Code_Challenge parameter.";
		return -1;
	}
	return 0;
}

/* GET /{tenant}/oauth2/v2.0/authorize */
void
authorize_handle(struct fx *fx)
{
	const struct evhttp_uri	*uri;
	const char		*query;
	const char		*client, *redirect, *type, *mode, *scope;
	const char		*state, *hint, *prompt, *error, *text;
	const struct authz_arm	*arm;
	struct evkeyvalq	 q;
	struct authz		*a;
	struct scope		 sc;
	char			 sep = '?', session[37];
	int			 aadsts, plain, user, known = 0;

	fx->fx_delay_ms = fake.token_delay_ms;
	uri = evhttp_request_get_evhttp_uri(fx->fx_req);
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) == -1 ||
	    (client = evhttp_find_header(&q, "client_id")) == NULL) {
		authz_page(fx, 900144, "The request body must contain the "
		    "following parameter: 'client_id'.");
		goto done;
	}
	json_object_set_new(fx->fx_log, "client_id",
	    json_stringn(client, strnlen(client, 64)));
	if (strcmp(client, fake.client_id) != 0) {
		authz_page(fx, 700016, "Application with identifier '%.64s' "
		    "was not found in the directory 'Contoso'.", client);
		goto done;
	}
	if ((redirect = evhttp_find_header(&q, "redirect_uri")) == NULL) {
		authz_page(fx, 900144, "The request body must contain the "
		    "following parameter: 'redirect_uri'.");
		goto done;
	}
	for (size_t i = 0; i < NELEM(authz_registered); i++)
		if (authz_uri_match(authz_registered[i], redirect))
			known = 1;
	if (!known || strlen(redirect) >= AUTHZ_URI_MAX) {
		authz_page(fx, 50011, "The redirect URI '%.200s' specified in "
		    "the request does not match the redirect URIs configured "
		    "for the application '%s'. Make sure the redirect URI sent "
		    "in the request matches one added to your application in "
		    "the Azure portal.", redirect, fake.client_id);
		goto done;
	}
	/* from here on errors go back on the redirect */
	state = evhttp_find_header(&q, "state");
	type = evhttp_find_header(&q, "response_type");
	mode = evhttp_find_header(&q, "response_mode");
	scope = evhttp_find_header(&q, "scope");
	hint = evhttp_find_header(&q, "login_hint");
	prompt = evhttp_find_header(&q, "prompt");
	sep = mode != NULL && strcmp(mode, "fragment") == 0 ? '#' : '?';
	if (type == NULL || strcmp(type, "code") != 0) {
		authz_error(fx, redirect, sep, state,
		    "unsupported_response_type", 700054, "response_type is not "
		    "enabled for the application: only 'code' is.");
		goto done;
	}
	if (mode != NULL && strcmp(mode, "query") != 0 &&
	    strcmp(mode, "fragment") != 0) {
		/* form_post is real, but not modelled here */
		authz_error(fx, redirect, sep, state, "invalid_request", 900144,
		    "fake365 answers response_mode query and fragment only.");
		goto done;
	}
	if (scope == NULL) {
		authz_error(fx, redirect, sep, state, "invalid_request", 900144,
		    "The request body must contain the following parameter: "
		    "'scope'.");
		goto done;
	}
	if (scope_parse(scope, &sc, &error, &aadsts, &text) == -1) {
		authz_error(fx, redirect, sep, state, error, aadsts, text);
		goto done;
	}
	if (authz_challenge(evhttp_find_header(&q, "code_challenge"),
	    evhttp_find_header(&q, "code_challenge_method"), &plain, &aadsts,
	    &text) == -1) {
		authz_error(fx, redirect, sep, state, "invalid_request", aadsts,
		    text);
		goto done;
	}
	/* the person at the sign-in page, as a test armed it */
	arm = authz_take();
	user = arm != NULL && arm->user != -1 ? arm->user :
	    hint != NULL ? dir_user_byupn(hint) : -1;
	if (arm == NULL && fake.auto_approve != NULL)
		user = dir_user_byupn(fake.auto_approve);
	if (arm == NULL && fake.auto_approve == NULL) {
		if (prompt != NULL && strcmp(prompt, "none") == 0)
			authz_error(fx, redirect, sep, state, "login_required",
			    50058, "A silent sign-in request was sent but no "
			    "user is signed in.");
		else
			authz_page(fx, 50058, "fake365 has no person at the "
			    "sign-in page: arm one with POST /_fake/authorize "
			    "{\"action\":\"approve\"}.");
		goto done;
	}
	if (arm != NULL && !arm->approve) {
		authz_error(fx, redirect, sep, state, "access_denied", 65004,
		    "User declined to consent to access the app.");
		goto done;
	}
	if (user == -1) {
		authz_error(fx, redirect, sep, state, "invalid_request", 50034,
		    "The user account does not exist in the Contoso directory. "
		    "To sign into this application, the account must be added "
		    "to the directory.");
		goto done;
	}
	json_object_set_new(fx->fx_log, "user",
	    json_string(dir_user_at(user)->upn));
	if ((a = authz_new(user, client, redirect, evhttp_find_header(&q,
	    "code_challenge"), plain, &sc)) == NULL) {
		authz_error(fx, redirect, sep, state, "server_error", 90033,
		    "A transient error has occurred. Please try again.");
		goto done;
	}
	rand_guid(session);
	authz_redirect(fx, redirect, sep, state, (const char *const[]){
	    "code", a->code, "session_state", session, NULL });
 done:
	evhttp_clear_headers(&q);
}

int
authcode_user(struct evkeyvalq *q)
{
	const char	*code = evhttp_find_header(q, "code");
	struct authz	*a = code ? authz_bycode(code) : NULL;

	return a ? a->user : -1;
}

/* Whether VERIFIER answers A's challenge (RFC 7636 §4.6). */
static int
authz_verified(const struct authz *a, const char *verifier)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*b64;
	size_t		 n = strlen(verifier);
	int		 ok;

	if (n < AUTHZ_CHALLENGE_MIN || n > AUTHZ_CHALLENGE_MAX)
		return 0;
	if (a->plain)
		return strcmp(verifier, a->challenge) == 0;
	if (EVP_Digest(verifier, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    (b64 = b64url_encode(md, mdlen)) == NULL)
		return 0;
	ok = strcmp(b64, a->challenge) == 0;
	free(b64);
	return ok;
}

/* grant_type=authorization_code */
void
authcode_grant(struct fx *fx, struct evkeyvalq *q)
{
	struct authz	*a;
	const char	*code, *redirect, *verifier;

	if ((code = identity_param(fx, q, "code")) == NULL ||
	    (redirect = identity_param(fx, q, "redirect_uri")) == NULL)
		return;
	if ((a = authz_bycode(code)) == NULL) {
		aad_error(fx, 400, "invalid_grant", 9002313, "Invalid request. "
		    "Request is malformed or invalid.");
		return;
	}
	if (strcmp(a->client, evhttp_find_header(q, "client_id")) != 0) {
		aad_error(fx, 400, "invalid_grant", 70000, "The provided "
		    "authorization code was issued to a different client.");
		return;
	}
	if (a->redeemed) {
		aad_error(fx, 400, "invalid_grant", 54005, "OAuth2 "
		    "Authorization code was already redeemed, please retry "
		    "with a new valid code or use an existing refresh token.");
		return;
	}
	if (a->expires <= time(NULL)) {
		aad_error(fx, 400, "invalid_grant", 70008, "The provided "
		    "authorization code or refresh token has expired due to "
		    "inactivity. Send a new interactive authorization request "
		    "for this user and resource.");
		return;
	}
	if (strcmp(redirect, a->redirect) != 0) {
		aad_error(fx, 400, "invalid_grant", 500112, "The reply address "
		    "'%.200s' does not match the reply address '%.200s' "
		    "provided when requesting Authorization code.", redirect,
		    a->redirect);
		return;
	}
	if (a->challenge[0] != '\0') {
		if ((verifier = identity_param(fx, q, "code_verifier")) == NULL)
			return;
		if (!authz_verified(a, verifier)) {
			aad_error(fx, 400, "invalid_grant", 501481, "The "
			    "Code_Verifier does not match the code_challenge "
			    "supplied in the authorization request.");
			return;
		}
	}
	a->redeemed = 1;
	aad_issue(fx, a->user, a->client, &a->scope);
}
