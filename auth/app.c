/*
 * App mode's token: ONE app-only access token (client credentials) that
 * every app user shares, since it names the application, not a user.
 * Requested with the client secret, or with a client assertion signed
 * on the worker pool (RSA signing stays off the loop). One request in
 * flight at a time; a token due for renewal is still handed out while
 * the next one is fetched. Client credentials have no refresh token, so
 * nothing is stored: the token lives in memory only and is wiped.
 * Failures back off (AUTH_BACKOFF_MIN_S doubling to AUTH_BACKOFF_MAX_S)
 * so a wrong secret does not hammer the identity platform.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth/app_int.h"
#include "auth/auth_int.h"
#include "auth/serve_int.h"
#include "conf/conf.h"
#include "log.h"

#define APP_SECRET_MAX_BYTES	4096
#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))
#define APP_ASSERTION_TYPE \
	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct auth_app {
	struct auth		*ap_auth;
	char			*ap_secret;	/* secret; NULL with a cert */
	struct app_cert		 ap_cert;	/* ac_key NULL with a secret */
	char			*ap_scope;
	char			*ap_aud;	/* the token URL */

	char			*ap_access;	/* secret */
	int64_t			 ap_expires;	/* epoch seconds */
	long			 ap_lifetime;
	struct fetch		*ap_fetch;	/* token request in flight */
	struct worker_job	*ap_job;	/* assertion being signed */
	time_t			 ap_retry_at;
	unsigned		 ap_backoff_s;
	enum auth_token_result	 ap_fail;
	char			 ap_reason[AUTH_REASON_BYTES];
	struct auth_waitq	 ap_waiters;
};

/* What an admin is told for the AADSTS codes of §1.11 that concern the
 * app's own credential. */
static const struct {
	long		 aadsts;
	const char	*text;
} app_refusals[] = {
	{ 7000215, "the client secret was refused (AADSTS7000215): check "
	    "client_secret_file (it must hold the secret's value, not its "
	    "ID)" },
	{ 7000222, "the client secret has expired (AADSTS7000222): make a "
	    "new one and put it in client_secret_file" },
	{ 700027, "the client assertion was refused (AADSTS700027): check "
	    "that client_cert_file is the certificate uploaded to the app "
	    "registration" },
	{ 50012, "the client assertion was refused (AADSTS50012): check "
	    "client_cert_file, client_key_file and the clock" },
	{ 50048, "the client assertion's subject was refused (AADSTS50048): "
	    "iss and sub must be client_id" },
	{ 700016, "the application was not found (AADSTS700016): check "
	    "client_id and tenant_id" },
	{ 7000218, "the app registration wants a credential "
	    "(AADSTS7000218): set client_secret_file or client_cert_file" },
	{ 700025, "the app registration is a public client (AADSTS700025): "
	    "add a secret or certificate to it for app mode" },
	{ 65001, "the application has no admin consent for "
	    "full_access_as_app (AADSTS65001)" },
};

/* Reads a secret file: at most APP_SECRET_MAX_BYTES, trailing white
 * space dropped, refused when others may read it. New string / NULL. */
static char *
app_read_secret(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "client_secret_file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "client_secret_file %s: others may "
		    "read it; chmod o-rw", path);
		goto fail;
	}
	if ((buf = calloc(1, APP_SECRET_MAX_BYTES + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while ((n = read(fd, buf + len, APP_SECRET_MAX_BYTES - len)) > 0)
		len += (size_t)n;
	if (n == -1 || len == APP_SECRET_MAX_BYTES) {
		snprintf(err, errlen, "client_secret_file %s: %s", path,
		    n == -1 ? strerror(errno) : "too long for a secret");
		goto fail;
	}
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		buf[--len] = '\0';
	if (len == 0 || strlen(buf) != len) {
		snprintf(err, errlen, "client_secret_file %s: %s", path,
		    len == 0 ? "empty" : "holds a NUL byte");
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (fd != -1)
		close(fd);
	if (buf != NULL) {
		explicit_bzero(buf, APP_SECRET_MAX_BYTES + 1);
		free(buf);
	}
	return NULL;
}

struct auth_app *
auth_app_new(struct auth *a, char *err, size_t errlen)
{
	const struct conf	*conf = a->a_conf;
	struct auth_app		*ap;

	if ((ap = calloc(1, sizeof(*ap))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ap->ap_auth = a;
	TAILQ_INIT(&ap->ap_waiters);
	if (conf->client_secret_file != NULL && conf->client_cert_file !=
	    NULL) {
		snprintf(err, errlen, "set client_secret_file or "
		    "client_cert_file, not both");
		goto fail;
	}
	if (conf->client_cert_file != NULL && conf->client_key_file == NULL) {
		snprintf(err, errlen, "client_cert_file needs "
		    "client_key_file");
		goto fail;
	}
	if (conf->client_secret_file != NULL &&
	    (ap->ap_secret = app_read_secret(conf->client_secret_file, err,
	    errlen)) == NULL)
		goto fail;
	if (conf->client_cert_file != NULL &&
	    app_cert_load(conf->client_cert_file, conf->client_key_file,
	    &ap->ap_cert, err, errlen) == -1)
		goto fail;
	if ((ap->ap_scope = app_scope(conf)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* NULL without tenant_id: requests then fail with the reason. */
	ap->ap_aud = conf_identity_url(conf, "token");
	return ap;
fail:
	auth_app_free(ap);
	return NULL;
}

void
auth_app_free(struct auth_app *ap)
{
	struct auth_wait	*w;

	if (ap == NULL)
		return;
	oauth_token_cancel(ap->ap_fetch);
	worker_cancel(ap->ap_job);
	while ((w = TAILQ_FIRST(&ap->ap_waiters)) != NULL) {
		TAILQ_REMOVE(&ap->ap_waiters, w, w_entry);
		w->w_queue = NULL;
	}
	auth_secret_free(ap->ap_secret);
	auth_secret_free(ap->ap_access);
	app_cert_clear(&ap->ap_cert);
	free(ap->ap_scope);
	free(ap->ap_aud);
	explicit_bzero(ap, sizeof(*ap));
	free(ap);
}

static void
app_failed(struct auth_app *ap, enum auth_token_result result,
    const char *reason)
{
	ap->ap_auth->a_refresh_failed++;
	ap->ap_backoff_s = auth_backoff_next(ap->ap_backoff_s);
	ap->ap_retry_at = time(NULL) + ap->ap_backoff_s;
	ap->ap_fail = result;
	snprintf(ap->ap_reason, sizeof(ap->ap_reason), "app token: %s",
	    reason);
	log_warnx("token: %s (next attempt in %us)", ap->ap_reason,
	    ap->ap_backoff_s);
	auth_waitq_answer(&ap->ap_waiters, result, NULL, ap->ap_reason);
}

static void
app_token_cb(void *arg, enum oauth_outcome outcome,
    struct oauth_tokens *t, const struct oauth_error *oe)
{
	struct auth_app	*ap = arg;
	char		 reason[AUTH_REASON_BYTES];

	ap->ap_fetch = NULL;
	if (outcome == OAUTH_OK) {
		auth_secret_free(ap->ap_access);
		ap->ap_access = t->access_token;
		t->access_token = NULL;
		ap->ap_expires = t->expires_at;
		ap->ap_lifetime = t->expires_in;
		ap->ap_retry_at = 0;
		ap->ap_backoff_s = 0;
		ap->ap_auth->a_refresh_ok++;
		log_debug("token: new app token (%lds)", t->expires_in);
		auth_waitq_answer(&ap->ap_waiters, AUTH_TOKEN_OK,
		    ap->ap_access, NULL);
		return;
	}
	for (size_t i = 0; i < NITEMS(app_refusals); i++)
		if (app_refusals[i].aadsts == oe->aadsts) {
			app_failed(ap, AUTH_TOKEN_FAILED, app_refusals[i].text);
			return;
		}
	snprintf(reason, sizeof(reason), "%s", oe->message[0] != '\0' ?
	    oe->message : oe->error[0] != '\0' ? oe->error :
	    "the token request failed");
	app_failed(ap, outcome == OAUTH_TRANSIENT ? AUTH_TOKEN_UNAVAILABLE :
	    AUTH_TOKEN_FAILED, reason);
}

/* POSTs the client-credentials form with SECRET or ASSERTION. */
static void
app_post(struct auth_app *ap, const char *secret, const char *assertion)
{
	const struct conf		*conf = ap->ap_auth->a_conf;
	const struct auth_form_field	 fields[] = {
		{ "client_id", conf->client_id },
		{ "grant_type", "client_credentials" },
		{ "scope", ap->ap_scope },
		{ "client_secret", secret },
		{ "client_assertion_type", assertion ? APP_ASSERTION_TYPE :
		    NULL },
		{ "client_assertion", assertion },
	};
	char				*form;

	if ((form = auth_form(fields, NITEMS(fields))) != NULL) {
		ap->ap_fetch = oauth_token_request(ap->ap_auth->a_net, conf,
		    form, app_token_cb, ap);
		auth_secret_free(form);
	}
	if (ap->ap_fetch == NULL)
		app_failed(ap, AUTH_TOKEN_FAILED, "cannot start a token "
		    "request");
}

/* The assertion, signed on a pool thread. */
struct app_sign {
	struct auth_app	*as_app;	/* only the loop side touches it */
	struct app_cert	 as_cert;	/* its own reference on the key */
	char		*as_client_id;
	char		*as_aud;
	char		*as_jwt;	/* the result (secret) */
};

static int
app_sign_fn(void *arg)
{
	struct app_sign	*as = arg;

	as->as_jwt = app_assertion(&as->as_cert, as->as_client_id,
	    as->as_aud, time(NULL));
	return as->as_jwt != NULL ? 0 : -1;
}

static void
app_sign_done_cb(void *arg, int result)
{
	struct app_sign	*as = arg;
	struct auth_app	*ap = as->as_app;

	ap->ap_job = NULL;
	if (result != 0) {
		app_failed(ap, AUTH_TOKEN_FAILED, "cannot sign the client "
		    "assertion with client_key_file");
		return;
	}
	app_post(ap, NULL, as->as_jwt);
}

static void
app_sign_free(void *arg)
{
	struct app_sign	*as = arg;

	app_cert_clear(&as->as_cert);
	free(as->as_client_id);
	free(as->as_aud);
	auth_secret_free(as->as_jwt);
	free(as);
}

static void
app_start(struct auth_app *ap)
{
	const struct conf	*conf = ap->ap_auth->a_conf;
	struct app_sign		*as;

	if (conf->client_id == NULL || ap->ap_aud == NULL) {
		app_failed(ap, AUTH_TOKEN_FAILED, "app mode needs [office365] "
		    "tenant_id and client_id");
		return;
	}
	if (ap->ap_secret != NULL) {
		app_post(ap, ap->ap_secret, NULL);
		return;
	}
	if ((as = calloc(1, sizeof(*as))) == NULL ||
	    (as->as_client_id = strdup(conf->client_id)) == NULL ||
	    (as->as_aud = strdup(ap->ap_aud)) == NULL) {
		if (as != NULL)
			app_sign_free(as);
		app_failed(ap, AUTH_TOKEN_FAILED, "out of memory");
		return;
	}
	as->as_app = ap;
	as->as_cert = ap->ap_cert;
	if (EVP_PKEY_up_ref(as->as_cert.ac_key) != 1) {
		memset(&as->as_cert, 0, sizeof(as->as_cert));
		app_sign_free(as);
		app_failed(ap, AUTH_TOKEN_FAILED, "out of memory");
		return;
	}
	ap->ap_job = worker_submit(ap->ap_auth->a_worker, app_sign_fn,
	    app_sign_done_cb, app_sign_free, as);
	if (ap->ap_job == NULL)
		app_failed(ap, AUTH_TOKEN_UNAVAILABLE, "the gateway is busy "
		    "signing; try again shortly");
}

static int
app_busy(const struct auth_app *ap)
{
	return ap->ap_fetch != NULL || ap->ap_job != NULL;
}

void
auth_app_serve(struct auth_app *ap, struct auth_wait *w,
    const char *rejected)
{
	time_t	 now = time(NULL);

	if (ap->ap_secret == NULL && ap->ap_cert.ac_key == NULL) {
		auth_wait_answer(w, AUTH_TOKEN_FAILED, NULL, "app mode needs "
		    "[office365] client_secret_file, or client_cert_file and "
		    "client_key_file");
		return;
	}
	if (rejected != NULL && ap->ap_access != NULL &&
	    strcmp(ap->ap_access, rejected) == 0) {
		log_info("token: the app token was refused upstream; "
		    "getting a new one");
		auth_secret_free(ap->ap_access);
		ap->ap_access = NULL;
		ap->ap_expires = 0;
	}
	if (ap->ap_access != NULL && now < ap->ap_expires) {
		if (now >= auth_refresh_due(ap->ap_expires, ap->ap_lifetime) &&
		    !app_busy(ap) && now >= ap->ap_retry_at)
			app_start(ap);
		auth_wait_answer(w, AUTH_TOKEN_OK, ap->ap_access, NULL);
		return;
	}
	if (app_busy(ap)) {
		auth_wait_enqueue(w, &ap->ap_waiters);
		return;
	}
	if (now < ap->ap_retry_at) {
		auth_wait_answer(w, ap->ap_fail, NULL, ap->ap_reason);
		return;
	}
	auth_wait_enqueue(w, &ap->ap_waiters);
	app_start(ap);
}
