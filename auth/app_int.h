/* auth/ internals of app mode (app.c, assertion.c, app_scope.c). */
#ifndef EWSGW_AUTH_APP_INT_H
#define EWSGW_AUTH_APP_INT_H

#include <stddef.h>
#include <time.h>

struct auth;
struct auth_app;
struct auth_wait;
struct conf;
struct evp_pkey_st;

/* ---- app.c: the one app-only token every app user shares ---- */

/*
 * Reads the configured client credential (client_secret_file, or
 * client_cert_file with client_key_file) once, at start-up. Without
 * either the object still exists and every token request fails naming
 * the missing keys. NULL with a one-line reason when a configured file
 * is unreadable, readable by others, or not a usable RSA key/certificate.
 */
struct auth_app	*auth_app_new(struct auth *, char *err, size_t errlen);
/* Cancels the request in flight, wipes the secret, key and token. Waits
 * still queued never answer (shutdown). NULL ok. */
void		 auth_app_free(struct auth_app *);
/* Answers W (a token wait) with the app token, now or when the one
 * request in flight ends; REJECTED as for auth_token_get. */
void		 auth_app_serve(struct auth_app *, struct auth_wait *,
		    const char *rejected);

/* ---- assertion.c: certificate credentials (client assertion JWT) ---- */

struct app_cert {
	struct evp_pkey_st	*ac_key;	/* RSA private key */
	char			 ac_x5t[32];	/* b64url SHA-1 of the DER */
	char			 ac_x5t256[48];	/* b64url SHA-256 of it */
};
/* Loads CERT and KEY (PEM; the key must match the certificate and be
 * RSA). 0 / -1 with a reason. */
int	app_cert_load(const char *cert, const char *key, struct app_cert *,
	    char *err, size_t errlen);
void	app_cert_clear(struct app_cert *);
/*
 * An RS256 client assertion: header alg, typ, x5t, x5t#S256; claims
 * aud = AUD (the token URL), iss = sub = CLIENT_ID, a random GUID jti,
 * nbf = iat = NOW, exp = NOW + 300. New string (wipe with
 * auth_secret_free), NULL on failure. Thread-safe for one caller per
 * struct app_cert.
 */
char	*app_assertion(const struct app_cert *, const char *client_id,
	    const char *aud, time_t now);
/* base64url without padding of LEN bytes; new string or NULL. */
char	*app_b64url(const unsigned char *, size_t len);

/* ---- app_scope.c ---- */

/* The client-credentials scope for CONF: "https://HOST/.default" where
 * HOST is ews_url's when it is a Microsoft cloud's EWS host, else the
 * resource of the configured delegated scope. New string or NULL. */
char	*app_scope(const struct conf *);

#endif
