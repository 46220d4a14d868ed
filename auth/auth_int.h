/* auth/ internals shared between its files; other folders use auth.h. */
#ifndef EWSGW_AUTH_INT_H
#define EWSGW_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "net/net.h"

/* ---- key and sealing (auth/seal.c) ---- */

#define SEAL_KEY_BYTES	32

/*
 * Loads PATH (32 bytes), creating it 0600 with random bytes when missing.
 * With STRICT, refuses a file that group or others may read or write.
 * 0 / -1 with a reason.
 */
int	seal_key_load(const char *path, int strict, unsigned char *key,
	    char *err, size_t errlen);
/* AES-256-GCM: OUT = version(1) | nonce(12) | ciphertext | tag(16).
 * AAD binds the blob to its row and column. New *OUT (free()). 0 / -1. */
int	seal(const unsigned char *key, const char *aad, const void *plain,
	    size_t plainlen, unsigned char **out, size_t *outlen);
/* The reverse; -1 when the blob was altered or the key differs.
 * *OUT is new, NUL terminated, wipe with auth_secret_free. */
int	unseal(const unsigned char *key, const char *aad,
	    const unsigned char *blob, size_t bloblen, char **out,
	    size_t *outlen);

/* ---- the identity platform's token endpoint (auth/oauth.c) ---- */

enum oauth_outcome {
	OAUTH_OK,
	OAUTH_PENDING,		/* device flow: authorization_pending */
	OAUTH_SLOW_DOWN,	/* device flow: slow_down */
	OAUTH_DECLINED,		/* authorization_declined / access_denied */
	OAUTH_EXPIRED,		/* expired_token */
	OAUTH_INVALID_GRANT,	/* refresh token refused: sign in again */
	OAUTH_TRANSIENT,	/* network, 5xx, temporarily_unavailable */
	OAUTH_FAILED,		/* any other error: config, consent, ... */
};

struct oauth_tokens {
	char		*access_token;	/* secret */
	char		*refresh_token;	/* secret; NULL when none returned */
	int64_t		 expires_at;	/* epoch seconds */
	long		 expires_in;	/* as received */
	char		*scope;		/* granted scopes; NULL when absent */
	char		*id_token;	/* secret; NULL unless openid asked */
};
/* Wipes and frees the strings and zeroes the struct. NULL ok. */
void	oauth_tokens_clear(struct oauth_tokens *);

/* What went wrong, safe to show an admin: never a token. */
struct oauth_error {
	char		 error[64];	/* "invalid_grant", "" for network */
	long		 aadsts;	/* first of error_codes, 0 if none */
	char		 message[256];	/* "AADSTS50173: The provided grant
					 * has expired ..." (first line) or
					 * a network reason */
};

typedef void	 (*oauth_token_cb)(void *arg, enum oauth_outcome,
		    struct oauth_tokens *tokens /* steal or leave */,
		    const struct oauth_error *);

/*
 * POSTs FORM (already url-encoded; copied, wiped) to the token endpoint
 * and classifies the answer. CB runs once, never inside this call, unless
 * the returned fetch is cancelled with oauth_token_cancel; TOKENS and ERR
 * are borrowed for the call (zeroed when not used). NULL when nothing
 * could be started (tenant_id unset, out of memory).
 */
struct fetch	*oauth_token_request(struct net_loop *, const struct conf *,
		    const char *form, oauth_token_cb cb, void *arg);
/* The grant_type=refresh_token form for REFRESH_TOKEN and the configured
 * client and scope; new string, wipe with auth_secret_free. */
char		*oauth_refresh_form(const struct conf *,
		    const char *refresh_token);
/* Cancels a fetch returned by oauth_token_request and frees what the
 * request held; use it instead of fetch_cancel, and before net_loop_free
 * for requests still running. CB will not run. NULL ok. */
void		 oauth_token_cancel(struct fetch *);
/* Parses a token endpoint answer: exposed for unit tests. TOKENS is
 * filled only on OAUTH_OK; ERR (never a token) on anything else. */
enum oauth_outcome oauth_parse_response(long status, const char *body,
		    size_t len, struct oauth_tokens *tokens,
		    struct oauth_error *err);

/*
 * POSTs FORM to the identity endpoint ENDPOINT ("devicecode", ...) with
 * the same headers, cap and timeout as token requests; CB gets the raw
 * answer (fetch_simple). For answers that are not token responses.
 */
struct fetch	*oauth_post(struct net_loop *, const struct conf *,
		    const char *endpoint, const char *form,
		    fetch_simple_cb cb, void *arg);
/* Fills ERR for a transfer that got no answer ("cannot reach the
 * identity platform at HOST: connection refused"); returns the outcome:
 * OAUTH_TRANSIENT, or OAUTH_FAILED when retrying cannot help. */
enum oauth_outcome oauth_net_error(const struct conf *, enum fetch_result,
		    struct oauth_error *err);

/* Seconds in a JSON member (expires_in, interval) sent as an integer or
 * a string of digits: > 0, or -1 when absent or malformed. */
struct json_t;
long		 oauth_json_seconds(const struct json_t *);
/* Overwrites the secret members of an answer object (access_token,
 * refresh_token, id_token, device_code) before it is released. */
void		 oauth_json_wipe(struct json_t *);

/* ---- url-encoded forms (auth/form.c) ---- */

struct auth_form_field {
	const char	*name;
	const char	*value;		/* NULL: the field is left out */
};
/*
 * "n1=v1&n2=v2", every byte outside RFC 3986's unreserved set written as
 * %XX (so a space is %20). Built here rather than with curl_easy_escape
 * so no unwiped copy of a secret is left behind. New string, wipe with
 * auth_secret_free; NULL when out of memory.
 */
char	*auth_form(const struct auth_form_field *fields, size_t n);

/* ---- ID tokens (auth/jwt.c) ---- */

/*
 * The first string claim of NAMES (NULL-terminated) found in the payload
 * of the JWT, without checking its signature: only for an ID token that
 * came straight from the token endpoint over TLS (OIDC Core 3.1.3.7).
 * New string (free()), or NULL when absent or malformed.
 */
char	*jwt_claim(const char *jwt, const char *const *names);

/* ---- refresh timing (auth/token.c) ---- */

/*
 * When to refresh an access token that expires at EXPIRES_AT, given it
 * was issued for LIFETIME seconds: min(300 s, lifetime / 4) before the
 * end. Pure; for unit tests.
 */
int64_t	auth_refresh_due(int64_t expires_at, long lifetime);

#endif
