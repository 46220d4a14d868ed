/*
 * HTTPS on `listen`: one SSL_CTX built from tls_cert (the full chain)
 * and tls_key, one SSL per connection through evhttp's bufferevent
 * callback. TLS 1.2 and 1.3 only. A reload builds a new SSL_CTX from the
 * files and swaps it in for new connections; connections already open
 * keep theirs (each SSL holds a reference), and a reload that fails keeps
 * the old one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"
#include "proxy/proxy_int.h"

/* TLS 1.2: forward secrecy and AEAD only (Mozilla "intermediate"); TLS
 * 1.3 suites are OpenSSL's defaults, all of them sound. */
#define TLS_CIPHERS_12	"ECDHE-ECDSA-AES128-GCM-SHA256:" \
			"ECDHE-RSA-AES128-GCM-SHA256:" \
			"ECDHE-ECDSA-AES256-GCM-SHA384:" \
			"ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:" \
			"ECDHE-RSA-CHACHA20-POLY1305:" \
			"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"

struct tls {
	SSL_CTX		*ctx;		/* for new connections */
	const char	*cert;		/* borrowed from the conf */
	const char	*key;
};

/* "WHAT PATH: reason" for the first queued OpenSSL error (the cause;
 * later ones wrap it); clears them. */
static void
tls_reason(char *err, size_t errlen, const char *what, const char *path)
{
	unsigned long	 e = ERR_peek_error();
	const char	*r = e ? ERR_reason_error_string(e) : NULL;

	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		r = "no PEM data in it (no -----BEGIN line)";

	snprintf(err, errlen, "%s %s: %s", what, path, r ? r : "unusable");
	ERR_clear_error();
}

/* 0 when PATH can be opened for reading, else -1 and why. */
static int
tls_readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* A new server SSL_CTX from CERT and KEY; NULL with a one-line reason. */
static SSL_CTX *
tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen)
{
	static const unsigned char sid[] = "ewsgw";
	SSL_CTX		*ctx = NULL;

	ERR_clear_error();
	if (tls_readable("tls_cert", cert, err, errlen) == -1 ||
	    tls_readable("tls_key", key, err, errlen) == -1)
		return NULL;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12) != 1 ||
	    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1) != 1) {
		tls_reason(err, errlen, "TLS", "setup");
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_reason(err, errlen, "tls_cert", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 &&
	    ERR_GET_REASON(ERR_peek_last_error()) !=
	    X509_R_KEY_VALUES_MISMATCH) {
		tls_reason(err, errlen, "tls_key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "tls_key %s does not match tls_cert %s",
		    key, cert);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Logs which certificate CTX serves: subject, serial, expiry. */
static void
tls_log_cert(SSL_CTX *ctx, const char *what)
{
	X509		*x = SSL_CTX_get0_certificate(ctx);
	BIGNUM		*bn = NULL;
	char		*serial = NULL, subject[256], until[32] = "?";
	struct tm	 tm;

	if (x == NULL)
		return;
	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL)
		serial = BN_bn2hex(bn);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	log_info("%s: %s, serial %s, valid until %s", what, subject,
	    serial ? serial : "?", until);
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		log_warnx("the TLS certificate expired on %s", until);
	OPENSSL_free(serial);
	BN_free(bn);
}

struct tls *
tls_new(const char *cert, const char *key, char *err, size_t errlen)
{
	struct tls	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cert = cert;
	t->key = key;
	if ((t->ctx = tls_ctx_new(cert, key, err, errlen)) == NULL) {
		free(t);
		return NULL;
	}
	tls_log_cert(t->ctx, "TLS certificate");
	return t;
}

int
tls_reload(struct tls *t, char *err, size_t errlen)
{
	SSL_CTX		*ctx;

	if ((ctx = tls_ctx_new(t->cert, t->key, err, errlen)) == NULL)
		return -1;
	SSL_CTX_free(t->ctx);	/* open connections hold their own ref */
	t->ctx = ctx;
	tls_log_cert(ctx, "TLS certificate reloaded");
	return 0;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/*
 * One TLS answer leaves as several records (headers, then body); with
 * Nagle on, the last small one waits for the client's delayed ACK, 40 ms
 * a request. Linux copies TCP_NODELAY from the listening socket to each
 * connection it accepts.
 */
void
tls_nodelay(int fd)
{
	int	 on = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_warn("TCP_NODELAY on the listening socket");
}

/*
 * libevent 2.1's TLS bufferevent runs its "output drained" callback
 * deferred. When bytes are queued in between (the end of a chunked reply,
 * written from the upstream's completion), evhttp still takes the late
 * callback as "all written", ends the request and turns writing off to
 * read the next one: the tail stays queued until client_timeout, and the
 * client sees a cut-off body. So every addition also turns writing back
 * on once the callbacks queued now have run (a zero-delay one-shot event
 * holding a reference on the bufferevent) while bytes are waiting.
 */
static void
tls_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bufferevent	*bev = arg;
	bufferevent_event_cb	 eventcb = NULL;

	/* bufferevent_free clears the callbacks: then leave it alone. */
	bufferevent_getcb(bev, NULL, NULL, &eventcb, NULL);
	if (eventcb != NULL &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		bufferevent_enable(bev, EV_WRITE);
	bufferevent_decref(bev);
}

static void
tls_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	static const struct timeval	 now;
	struct bufferevent		*bev = arg;

	if (info->n_added == 0)
		return;
	bufferevent_incref(bev);
	if (event_base_once(bufferevent_get_base(bev), -1, EV_TIMEOUT,
	    tls_kick_cb, bev, &now) == -1)
		bufferevent_decref(bev);
}

/* When this returns NULL (out of memory) evhttp makes a plain socket
 * bufferevent: the client's TLS hello then gets a 400 in clear text, and
 * the connection closes. Nothing the client sent is read as a request. */
struct bufferevent *
tls_bev_cb(struct event_base *base, void *arg)
{
	struct tls		*t = arg;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* Legacy clients often close without close_notify. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	if (evbuffer_add_cb(bufferevent_get_output(bev), tls_outbuf_cb,
	    bev) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}
