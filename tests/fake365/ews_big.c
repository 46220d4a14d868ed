/*
 * fake365 big attachments: GetAttachment of "big-N" answers a
 * FileAttachment of N bytes (byte i is i % 251), its base64 Content made
 * on the fly and streamed in chunks. The next chunk is queued only when
 * the connection has drained the last one, so the fake holds about
 * BIG_CHUNK_BLOCKS blocks whatever N is.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/evp.h>

#include "log.h"
#include "tests/fake365/ews.h"

#define BIG_BLOCK_RAW		(251 * 3 * 64)	/* the pattern, whole */
#define BIG_BLOCK_B64		(BIG_BLOCK_RAW / 3 * 4)
#define BIG_CHUNK_BLOCKS	8		/* ~500 KiB queued at most */
#define BIG_MARK		"@@FAKE365-CONTENT@@"

struct big {
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	unsigned long long		 left;	/* raw bytes not yet queued */
	char				*suffix;
};

static unsigned char	 big_block[BIG_BLOCK_B64 + 1];

static void
big_pattern(unsigned char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++)
		raw[i] = (unsigned char)(i % 251);
}

static void
big_free(struct big *b)
{
	free(b->suffix);
	free(b);
}

/* Queues up to BIG_CHUNK_BLOCKS blocks of Content into OUT. */
static int
big_fill(struct big *b, struct evbuffer *out)
{
	unsigned char	*raw = NULL, *enc = NULL;
	size_t		 n;
	int		 len, rc = -1;

	for (int k = 0; k < BIG_CHUNK_BLOCKS && b->left >= BIG_BLOCK_RAW;
	    k++) {
		if (evbuffer_add_reference(out, big_block, BIG_BLOCK_B64,
		    NULL, NULL) == -1)
			return -1;
		b->left -= BIG_BLOCK_RAW;
	}
	if (b->left == 0 || b->left >= BIG_BLOCK_RAW)
		return 0;
	/* the tail starts the pattern again: blocks hold it whole */
	n = (size_t)b->left;
	if ((raw = malloc(n)) == NULL || (enc = malloc(n / 3 * 4 + 5)) == NULL)
		goto done;
	big_pattern(raw, n);
	len = EVP_EncodeBlock(enc, raw, (int)n);
	if (evbuffer_add(out, enc, len) == -1)
		goto done;
	b->left = 0;
	rc = 0;
done:
	free(raw);
	free(enc);
	return rc;
}

static void
big_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct big	*b = arg;

	log_info("big attachment: client left with %llu bytes unsent",
	    b->left);
	/* a request evhttp let go of is ours to free */
	if (evhttp_request_get_connection(b->req) == NULL)
		evhttp_request_free(b->req);
	big_free(b);
}

static void
big_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct big	*b = arg;
	struct evbuffer	*out;

	if ((out = evbuffer_new()) == NULL || (b->left > 0 &&
	    big_fill(b, out) == -1)) {
		/* cut off: the client must not take it as complete */
		if (out != NULL)
			evbuffer_free(out);
		evhttp_connection_set_closecb(b->evcon, NULL, NULL);
		evhttp_connection_free(b->evcon);
		big_free(b);
		return;
	}
	if (evbuffer_get_length(out) > 0) {
		evhttp_send_reply_chunk_with_cb(b->req, out, big_drained_cb, b);
		evbuffer_free(out);
		return;
	}
	evbuffer_add(out, b->suffix, strlen(b->suffix));
	evhttp_send_reply_chunk(b->req, out);
	evbuffer_free(out);
	evhttp_connection_set_closecb(b->evcon, NULL, NULL);
	evhttp_send_reply_end(b->req);
	big_free(b);
}

/* The envelope around Content, split at the mark: PREFIX is left in
 * REQ's buffer (its length in *PLEN), the suffix returned (new). */
static char *
big_envelope(struct ews_req *req, unsigned long long n, size_t *plen)
{
	char		 id[32];
	const char	*doc, *mark;

	snprintf(id, sizeof(id), "big-%llu", n);
	if (ews_begin(req) < 0 || ews_msg(req, "NoError") < 0 ||
	    ews_start(req, "m:Attachments") < 0 ||
	    ews_start(req, "t:FileAttachment") < 0 ||
	    ews_start(req, "t:AttachmentId") < 0 ||
	    ews_attr(req, "Id", id) < 0 || ews_end_elem(req) < 0 ||
	    ews_elemf(req, "t:Name", "%s.bin", id) < 0 ||
	    ews_elem(req, "t:ContentType", "application/octet-stream") < 0 ||
	    ews_elemf(req, "t:Size", "%llu", n) < 0 ||
	    ews_time(req, "t:LastModifiedTime", dir_started()) < 0 ||
	    ews_elem(req, "t:IsInline", "false") < 0 ||
	    ews_elem(req, "t:IsContactPhoto", "false") < 0 ||
	    ews_elem(req, "t:Content", BIG_MARK) < 0 ||
	    xmlTextWriterEndDocument(req->w) < 0 ||
	    xmlTextWriterFlush(req->w) < 0)
		return NULL;
	doc = (const char *)xmlBufferContent(req->buf);
	if ((mark = strstr(doc, BIG_MARK)) == NULL)
		return NULL;
	*plen = mark - doc;
	return strdup(mark + strlen(BIG_MARK));
}

int
ews_big_start(struct ews_req *req, unsigned long long n)
{
	struct evbuffer	*out = NULL;
	struct big	*b = NULL;
	size_t		 plen;

	if (big_block[0] == '\0') {
		unsigned char	 raw[BIG_BLOCK_RAW];

		big_pattern(raw, sizeof(raw));
		EVP_EncodeBlock(big_block, raw, sizeof(raw));
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->suffix = big_envelope(req, n, &plen)) == NULL ||
	    (out = evbuffer_new()) == NULL ||
	    evbuffer_add(out, xmlBufferContent(req->buf), plen) == -1)
		goto fail;
	b->left = n;
	if (big_fill(b, out) == -1)
		goto fail;
	b->req = req->fx->fx_req;
	b->evcon = evhttp_request_get_connection(b->req);
	json_object_set_new(req->fx->fx_log, "big_bytes", json_integer(n));
	fx_stream_start(req->fx, "text/xml; charset=utf-8");
	req->fx = NULL;
	evhttp_connection_set_closecb(b->evcon, big_closed_cb, b);
	evhttp_send_reply_chunk_with_cb(b->req, out, big_drained_cb, b);
	evbuffer_free(out);
	return 1;
fail:
	if (out != NULL)
		evbuffer_free(out);
	if (b != NULL)
		big_free(b);
	return ews_fail(req, "ErrorInternalServerError", NULL);
}
