/* curl's result codes translated once, at the edge of net/. */
#include <stddef.h>

#include "net/net_int.h"

static const char *const fetch_result_names[] = {
	[FETCH_OK] = "ok",
	[FETCH_ERR_DNS] = "host name not resolved",
	[FETCH_ERR_CONNECT] = "connection refused or unreachable",
	[FETCH_ERR_TLS] = "TLS handshake or certificate failed",
	[FETCH_ERR_TIMEOUT] = "timed out",
	[FETCH_ERR_IO] = "connection failed mid-way",
	[FETCH_ERR_TOOBIG] = "response too large",
	[FETCH_ERR_ABORTED] = "aborted",
	[FETCH_ERR_INTERNAL] = "internal error",
};

/* Codes not listed here are FETCH_ERR_INTERNAL. */
static const struct {
	CURLcode		code;
	enum fetch_result	result;
} net_result_table[] = {
	{ CURLE_OK,				FETCH_OK },
	{ CURLE_COULDNT_RESOLVE_HOST,		FETCH_ERR_DNS },
	{ CURLE_COULDNT_RESOLVE_PROXY,		FETCH_ERR_DNS },
	{ CURLE_COULDNT_CONNECT,		FETCH_ERR_CONNECT },
	{ CURLE_SSL_CONNECT_ERROR,		FETCH_ERR_TLS },
	{ CURLE_PEER_FAILED_VERIFICATION,	FETCH_ERR_TLS },
	{ CURLE_SSL_CERTPROBLEM,		FETCH_ERR_TLS },
	{ CURLE_SSL_CIPHER,			FETCH_ERR_TLS },
	{ CURLE_SSL_CACERT_BADFILE,		FETCH_ERR_TLS },
	{ CURLE_SSL_CRL_BADFILE,		FETCH_ERR_TLS },
	{ CURLE_SSL_ISSUER_ERROR,		FETCH_ERR_TLS },
	{ CURLE_SSL_PINNEDPUBKEYNOTMATCH,	FETCH_ERR_TLS },
	{ CURLE_SSL_INVALIDCERTSTATUS,		FETCH_ERR_TLS },
	{ CURLE_SSL_SHUTDOWN_FAILED,		FETCH_ERR_TLS },
	{ CURLE_SSL_CLIENTCERT,			FETCH_ERR_TLS },
	{ CURLE_USE_SSL_FAILED,			FETCH_ERR_TLS },
	{ CURLE_OPERATION_TIMEDOUT,		FETCH_ERR_TIMEOUT },
	{ CURLE_SEND_ERROR,			FETCH_ERR_IO },
	{ CURLE_RECV_ERROR,			FETCH_ERR_IO },
	{ CURLE_PARTIAL_FILE,			FETCH_ERR_IO },
	{ CURLE_GOT_NOTHING,			FETCH_ERR_IO },
	{ CURLE_WEIRD_SERVER_REPLY,		FETCH_ERR_IO },
	{ CURLE_HTTP2,				FETCH_ERR_IO },
	{ CURLE_HTTP2_STREAM,			FETCH_ERR_IO },
	{ CURLE_HTTP3,				FETCH_ERR_IO },
	{ CURLE_QUIC_CONNECT_ERROR,		FETCH_ERR_IO },
};

const char *
fetch_result_str(enum fetch_result r)
{
	if ((size_t)r >= sizeof(fetch_result_names) /
	    sizeof(fetch_result_names[0]) || fetch_result_names[r] == NULL)
		return "unknown";
	return fetch_result_names[r];
}

enum fetch_result
net_result_bycode(CURLcode code, int aborted)
{
	size_t	 i;

	if (aborted)
		return FETCH_ERR_ABORTED;
	for (i = 0; i < sizeof(net_result_table) /
	    sizeof(net_result_table[0]); i++)
		if (net_result_table[i].code == code)
			return net_result_table[i].result;
	return FETCH_ERR_INTERNAL;
}
