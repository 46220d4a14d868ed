/*
 * fake365: a test double of Microsoft 365 (identity platform + EWS) for
 * ewsgw's tests. Single-threaded on one libevent base; nothing blocks.
 * See docs/fake365.md for what it answers and its /_fake control API.
 */
#ifndef FAKE365_H
#define FAKE365_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

struct evbuffer;
struct evhttp_request;
struct evkeyvalq;
struct event_base;

#define FAKE_TENANT_ID		"11111111-2222-3333-4444-555555555555"
#define FAKE_TENANT_DOMAIN	"contoso.example"
#define FAKE_CLIENT_ID		"aaaaaaaa-0000-4000-8000-000000000001"
#define FAKE_EWS_AUD		"https://outlook.office365.com"
/* EWS in the national clouds, accepted as aliases of FAKE_EWS_AUD. */
#define FAKE_EWS_AUD_GCCH	"https://outlook.office365.us"
#define FAKE_EWS_AUD_DOD	"https://outlook-dod.office365.us"
#define FAKE_EWS_AUD_CHINA	"https://partner.outlook.cn"
#define FAKE_GRAPH_AUD		"https://graph.microsoft.com"
#define FAKE_EWS_SCP		"EWS.AccessAsUser.All"
#define FAKE_BODY_MAX_BYTES	(64 * 1024 * 1024)	/* requests */
#define FAKE_FORM_MAX_BYTES	(64 * 1024)

#define NS_SOAP		"http://schemas.xmlsoap.org/soap/envelope/"
#define NS_M		"http://schemas.microsoft.com/exchange/services/2006/messages"
#define NS_T		"http://schemas.microsoft.com/exchange/services/2006/types"
#define NS_E		"http://schemas.microsoft.com/exchange/services/2006/errors"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* main.c: settings from the command line, changed by POST /_fake/config. */
struct fake_conf {
	struct event_base	*base;
	char			 base_url[96];	/* http://127.0.0.1:PORT */
	const char		*tenant;	/* tenant id (GUID) */
	const char		*client_id;	/* the one registered app */
	const char		*auto_approve;	/* UPN, or NULL */
	long			 token_lifetime;	/* access token, s */
	long			 refresh_lifetime;	/* refresh token, s */
	long			 device_interval;	/* s */
	long			 device_expires_in;	/* s */
	long			 ews_delay_ms;
	long			 token_delay_ms;
	long			 code_lifetime;	/* authorization code, s */
	long			 stream_minute_ms;	/* ConnectionTimeout unit */
	long			 stream_keepalive_ms;	/* between envelopes */
};
extern struct fake_conf fake;

/* http.c: one request being answered ("fake exchange"). */
enum fx_target {
	FX_OTHER,
	FX_TOKEN,	/* /{tenant}/oauth2/v2.0/token and devicecode */
	FX_EWS,		/* /EWS/Exchange.asmx */
};

struct fx {
	struct evhttp_request	*fx_req;	/* borrowed from evhttp */
	json_t			*fx_log;	/* its log entry (owned) */
	enum fx_target		 fx_target;
	char			 fx_user[128];	/* UPN, for fault filters */
	long			 fx_delay_ms;	/* added before answering */
	int			 fx_busy;	/* EWS: user + 1 while counted */
};

/* Starts listening on HOST:PORT; -1 on failure. */
int		 http_start(const char *host, int port);
void		 http_stop(void);
/*
 * Answers FX (then frees it): STATUS, an optional Content-Type and BODY
 * (stolen; NULL for none). Logs the exchange. Waits fx_delay_ms first.
 */
void		 fx_reply(struct fx *, int status, const char *ctype,
		    struct evbuffer *body);
void		 fx_reply_text(struct fx *, int status, const char *ctype,
		    const char *text);
/* JSON with the identity platform's headers; steals J. */
void		 fx_reply_json(struct fx *, int status, json_t *j);
/* Closes the connection without an answer; frees FX. */
void		 fx_drop(struct fx *);
/* Headers are sent now, the body follows (ews_big.c); frees FX. */
void		 fx_stream_start(struct fx *, const char *ctype);
/* The request body as a NUL-terminated string (new), at most MAX bytes. */
char		*fx_body(struct fx *, size_t max, size_t *lenp);
/* Parses an x-www-form-urlencoded body into Q; -1 if not a form. */
int		 fx_form(struct fx *, struct evkeyvalq *q);
void		 fx_add_header(struct fx *, const char *name, const char *value);
const char	*fx_header(struct fx *, const char *name);

/* reqlog.c: what the fake received (never a secret). */
json_t		*reqlog_begin(struct evhttp_request *);
void		 reqlog_end(json_t *entry, int status);	/* steals ENTRY */
int		 reqlog_open(const char *path);
json_t		*reqlog_all(void);	/* new reference */
json_t		*reqlog_stats(void);	/* new reference */
void		 reqlog_reset(void);	/* log and counters */
void		 reqlog_free(void);	/* all of it, at exit */
/* EWS requests of USER in flight (STREAM: GetStreamingEvents ones)
 * change by DELTA; /_fake/stats shows them and their peak. Returns how
 * many are in flight now. */
int		 reqlog_busy(int user, int stream, int delta);
/* Remembers a secret the fake handed out (NULL: none), for GET
 * /_fake/issued. */
void		 reqlog_issued(const char *);
json_t		*reqlog_issued_all(void);	/* new reference */

/* control.c: the /_fake endpoints. */
void		 control_handle(struct fx *, const char *path);

/* fault.c: failures armed by POST /_fake/fault. */
enum fault_kind {
	FAULT_NONE,
	FAULT_DOWN,
	FAULT_HTTP503,
	FAULT_HTTP401,
	FAULT_DELAY,
	FAULT_BUSY,
	FAULT_INVALID_GRANT,
};
struct fault_hit {
	enum fault_kind	 kind;
	long		 backoff_ms;	/* FAULT_BUSY */
	long		 retry_after;	/* s, for a Retry-After; 0 none */
	int		 aadsts;	/* FAULT_INVALID_GRANT */
};
/* Arms one fault from its JSON; -1 with *errstr when it is wrong. */
int		 fault_add(json_t *, const char **errstr);
void		 fault_clear(void);
/*
 * Takes one hit of the first fault armed for FX's target and user: adds
 * its delay to FX and fills HIT. Returns 1 when the request must be
 * answered with HIT's kind instead of normally, else 0.
 */
int		 fault_take(struct fx *, struct fault_hit *hit);

/* rand.c: random material from OpenSSL's RAND_bytes. */
void		 rand_guid(char out[37]);
void		 rand_b64url(char *out, size_t nchars);
void		 rand_user_code(char *out, size_t nchars);

/* jwt.c: RS256 JWTs under a key made at start-up. */
int		 jwt_init(void);
void		 jwt_free(void);
char		*b64url_encode(const unsigned char *, size_t);	/* new */
/* New buffer, its length in *LENP; NULL if not base64url. */
unsigned char	*b64url_decode(const char *, size_t, size_t *lenp);
char		*jwt_sign(json_t *claims);	/* new */
/* Claims of a token whose RS256 signature is ours (new); NULL if not. */
json_t		*jwt_verify(const char *token, const char **why);
json_t		*jwt_jwks(void);	/* new */

/* directory.c: the tenant's users and their mailboxes. */
struct dir_user {
	const char	*upn;		/* also the primary SMTP address */
	const char	*name;
	const char	*given;
	const char	*surname;
	const char	*password;
	const char	*oid;
	const char	*title;
	const char	*office;
	const char	*phone;
	int		 room;
};
const struct dir_user	*dir_user_at(int);	/* NULL past the end */
int		 dir_user_byupn(const char *);	/* index or -1 */
time_t		 dir_epoch(void);	/* Monday 00:00 UTC of start-up week */

/* scope.c: what a token request's scope asks for. */
struct scope {
	const char	*aud;		/* resource of the access token */
	char		 scp[256];	/* permissions, the scp claim */
	char		 granted[512];	/* scope echoed in the response */
	int		 offline;	/* offline_access: refresh token */
	int		 openid;	/* openid: id_token */
	char		 asked[512];	/* the scope parameter as received */
};
/* 0, or -1 with the OAuth error, AADSTS code and text to answer. */
int		 scope_parse(const char *, struct scope *, const char **error,
		    int *aadsts, const char **text);

/* aad.c: the identity platform's answers. */
void		 aad_error(struct fx *, int status, const char *error,
		    int aadsts, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
/* The same with a suberror member ("basic_action" for MFA). */
void		 aad_error_sub(struct fx *, int status, const char *error,
		    int aadsts, const char *suberror, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));
/* Issues tokens for USER (index) and answers FX with them. */
void		 aad_issue(struct fx *, int user, const char *client,
		    const struct scope *);
/* Resolves /{tenant}/: 0 if ours, else answers FX and returns -1. */
int		 aad_tenant(struct fx *, const char *tenant);

/* identity.c: POST /{tenant}/oauth2/v2.0/token. */
void		 identity_token(struct fx *);
/* Form value NAME, or answers "must contain NAME" and returns NULL. */
const char	*identity_param(struct fx *, struct evkeyvalq *,
		    const char *name);
/* 0 if CLIENT is the registered app, else answers FX, returns -1. */
int		 identity_client(struct fx *, const char *client);

/* devicecode.c: the device authorization grant (RFC 8628). */
void		 device_code(struct fx *);		/* POST devicecode */
void		 device_login(struct fx *);		/* /devicelogin */
void		 device_grant(struct fx *, struct evkeyvalq *);
void		 device_free(void);	/* every code, at exit */
/* The user a grant's form names (for fault filters), or -1. */
int		 device_user(struct evkeyvalq *);
int		 refresh_user(struct evkeyvalq *);
int		 password_user(struct evkeyvalq *);

/* authorize.c: GET authorize and grant_type=authorization_code. */
void		 authorize_handle(struct fx *);
/* Arms what the next sign-ins at authorize do (POST /_fake/authorize);
 * -1 with *errstr when BODY is wrong. */
int		 authorize_arm(json_t *body, const char **errstr);
void		 authorize_free(void);	/* codes and armed sign-ins */
void		 authcode_grant(struct fx *, struct evkeyvalq *);
int		 authcode_user(struct evkeyvalq *);

/* refresh.c: opaque refresh tokens, rotated, revocable. */
const char	*refresh_issue(int user, const char *client, const char *scope);
void		 refresh_grant(struct fx *, struct evkeyvalq *);
int		 refresh_revoke(int user);	/* how many were revoked */
void		 refresh_free(void);	/* every token, at exit */

/* client.c: client credentials (app-only tokens). */
int		 client_secret_load(const char *path);	/* --client-secret */
int		 client_cert_load(const char *path);	/* --client-cert */
int		 client_confidential(void);	/* 1: has a credential */
void		 client_grant(struct fx *, struct evkeyvalq *);
int		 client_user(struct evkeyvalq *);	/* always -1 */
void		 client_free(void);

/* password.c: ROPC (grant_type=password). */
void		 password_grant(struct fx *, struct evkeyvalq *);

/* ews_notify.c: a new mail in USER's inbox for its subscriptions; its
 * ItemId into ITEM_ID. Returns how many subscriptions saw it, -1 when
 * USER is out of range. */
int		 notify_new_mail(int user, char *item_id, size_t len);
/* Drops every subscription not being streamed, and the cookies. */
void		 notify_reset(void);

/* ews.c: POST /EWS/Exchange.asmx. */
void		 ews_handle(struct fx *);
/* POST /onprem/EWS/Exchange.asmx: on-premises Exchange 2019, Basic. */
void		 ews_onprem_handle(struct fx *);

#endif
