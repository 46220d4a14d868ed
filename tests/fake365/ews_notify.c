/*
 * fake365 notifications (office365.md §2.3, §2.8): Subscribe (pull and
 * streaming), GetEvents, GetStreamingEvents, Unsubscribe, and the new
 * mail POST /_fake/notify delivers to them.
 *
 * Affinity: a Subscribe with X-PreferServerAffinity: true that does not
 * carry the mailbox's X-BackEndOverrideCookie gets one (Set-Cookie, path=/;
 * secure; HttpOnly, as EXO); a subscription made so is found afterwards
 * only by requests carrying that cookie (Cookie header, or exchangelib's
 * X-BackEndOverrideCookie header), else ErrorSubscriptionNotFound.
 *
 * GetStreamingEvents answers one chunked response: a complete envelope
 * at once, one per notification and one every stream_keepalive_ms (no
 * Notifications: a keep-alive), and after ConnectionTimeout minutes (a
 * minute lasting stream_minute_ms) a last one with ConnectionStatus
 * Closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/evp.h>

#include "log.h"
#include "tests/fake365/ews.h"

#define NOTIFY_SUBS_MAX		20	/* EWSMaxSubscriptions per mailbox */
#define NOTIFY_QUEUE_MAX	50	/* events queued per subscription */
#define NOTIFY_IDS_MAX		200	/* subscription ids per request */
#define NOTIFY_COOKIE		"X-BackEndOverrideCookie"
#define NOTIFY_USERS_MAX	16

#define EV_NEWMAIL	0x01
#define EV_CREATED	0x02

static const struct {
	const char	*name;
	int		 bit;
} notify_types[] = {
	{ "NewMailEvent", EV_NEWMAIL },
	{ "CreatedEvent", EV_CREATED },
	{ "DeletedEvent", 0 }, { "ModifiedEvent", 0 }, { "MovedEvent", 0 },
	{ "CopiedEvent", 0 }, { "FreeBusyChangedEvent", 0 },
};

struct notify_event {
	unsigned long	 seq;		/* its watermark */
	int		 bit;		/* EV_* */
	int		 item;		/* message number */
	time_t		 when;
};

struct stream;

struct sub {
	TAILQ_ENTRY(sub)	 entry;
	char			 id[96];
	int			 user;
	int			 streaming;
	int			 types;		/* EV_* asked for */
	int			 inbox;		/* watches the inbox */
	char			 cookie[96];	/* "" without affinity */
	unsigned long		 seq;		/* last watermark handed out */
	long			 timeout_min;	/* pull */
	time_t			 polled;	/* pull: last Subscribe/GetEvents */
	struct notify_event	 q[NOTIFY_QUEUE_MAX];
	size_t			 nq;
	struct stream		*stream;	/* streaming: its connection */
};

struct stream {
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	struct event			*tick;	/* keep-alive */
	struct event			*end;	/* ConnectionTimeout */
	int				 user;
};

static TAILQ_HEAD(, sub)	 subs = TAILQ_HEAD_INITIALIZER(subs);
static unsigned long		 notify_seq = 1;
static unsigned			 notify_nsubs;
static char			 notify_cookies[NOTIFY_USERS_MAX][96];
static int			 notify_mails[NOTIFY_USERS_MAX];

/* Watermarks: base64 of "F365W:SEQ", opaque to clients. */
static void
notify_watermark(unsigned long seq, char *out, size_t len)
{
	char		 raw[40];
	unsigned char	 enc[64];
	int		 n;

	n = snprintf(raw, sizeof(raw), "F365W:%lu", seq);
	EVP_EncodeBlock(enc, (unsigned char *)raw, n);
	snprintf(out, len, "%s", enc);
}

static int
notify_watermark_parse(const char *wm, unsigned long *seq)
{
	unsigned char	 raw[64];
	size_t		 len = strlen(wm);
	int		 n;
	char		 tail;

	if (len == 0 || len > 60 || len % 4 != 0)
		return -1;
	if ((n = EVP_DecodeBlock(raw, (const unsigned char *)wm, (int)len)) <
	    0)
		return -1;
	raw[n] = '\0';
	if (sscanf((char *)raw, "F365W:%lu%c", seq, &tail) != 1)
		return -1;
	return 0;
}

static struct sub *
notify_sub_byid(const char *id)
{
	struct sub	*s;

	TAILQ_FOREACH(s, &subs, entry)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* The affinity cookie the request carries, or "". */
static void
notify_req_cookie(struct fx *fx, char *out, size_t len)
{
	const char	*h = fx_header(fx, NOTIFY_COOKIE), *c, *p;
	size_t		 n;

	out[0] = '\0';
	if (h != NULL) {
		snprintf(out, len, "%s", h);
		return;
	}
	if ((c = fx_header(fx, "Cookie")) == NULL)
		return;
	for (p = c; (p = strstr(p, NOTIFY_COOKIE "=")) != NULL; p++)
		if (p == c || p[-1] == ' ' || p[-1] == ';') {
			p += strlen(NOTIFY_COOKIE "=");
			n = strcspn(p, "; ");
			snprintf(out, len, "%.*s", (int)n, p);
			return;
		}
}

/* S as REQ may see it: 0, or -1 with *CODE. */
static int
notify_sub_check(struct ews_req *req, struct sub *s, const char **code)
{
	char	 cookie[96];

	*code = "ErrorSubscriptionNotFound";
	if (s == NULL)
		return -1;
	if (s->user != req->user) {
		*code = "ErrorSubscriptionAccessDenied";
		return -1;
	}
	notify_req_cookie(req->fx, cookie, sizeof(cookie));
	if (s->cookie[0] != '\0' && strcmp(cookie, s->cookie) != 0) {
		log_info("subscription of %s asked for without its "
		    "affinity cookie", dir_user_at(s->user)->upn);
		return -1;
	}
	if (!s->streaming && s->timeout_min > 0 &&
	    time(NULL) - s->polled > s->timeout_min * 60) {
		*code = "ErrorExpiredSubscription";
		return -1;
	}
	return 0;
}

static void
notify_sub_free(struct sub *s)
{
	TAILQ_REMOVE(&subs, s, entry);
	notify_nsubs--;
	free(s);
}

/* ---- Subscribe ---- */

static int
notify_event_types(xmlNodePtr types)
{
	xmlNodePtr	 t;
	char		 buf[64];
	int		 bits = 0;

	XML_FOREACH(t, types, NS_T, "EventType") {
		xml_text(t, buf, sizeof(buf));
		for (size_t i = 0; i < NELEM(notify_types); i++)
			if (strcmp(buf, notify_types[i].name) == 0)
				bits |= notify_types[i].bit;
	}
	return bits;
}

/* Whether the subscription request R watches the inbox. */
static int
notify_watches_inbox(struct ews_req *req, xmlNodePtr r)
{
	xmlNodePtr	 ids = xml_child(r, NS_T, "FolderIds"), f;
	const char	*all = xml_attr(r, "SubscribeToAllFolders");
	const char	*code;

	if (ids == NULL || (all != NULL && strcmp(all, "true") == 0))
		return 1;
	XML_EACH(f, ids)
		if (ews_folder_ref(req, f, &code) ==
		    dir_folder_byname("inbox"))
			return 1;
	return 0;
}

/* The affinity cookie for REQ's Subscribe; sets Set-Cookie when needed. */
static void
notify_affinity(struct ews_req *req, char *out, size_t len)
{
	const char	*pref = fx_header(req->fx, "X-PreferServerAffinity");
	char		*cookie, have[96];
	char		 line[200];

	out[0] = '\0';
	if (pref == NULL || strcasecmp(pref, "true") != 0 ||
	    req->user >= NOTIFY_USERS_MAX)
		return;
	cookie = notify_cookies[req->user];
	if (cookie[0] == '\0') {
		snprintf(cookie, sizeof(notify_cookies[0]),
		    "AM0PR0%dMB%04u.eurprd0%d.prod.outlook.com~%lu",
		    req->user + 1, (unsigned)(notify_seq * 7919 % 10000),
		    req->user + 1, 1900000000UL + notify_seq);
	}
	notify_req_cookie(req->fx, have, sizeof(have));
	if (strcmp(have, cookie) != 0) {
		snprintf(line, sizeof(line), "%s=%s; path=/; secure; HttpOnly",
		    NOTIFY_COOKIE, cookie);
		fx_add_header(req->fx, "Set-Cookie", line);
	}
	snprintf(out, len, "%s", cookie);
}

int
ews_subscribe(struct ews_req *req)
{
	xmlNodePtr	 pull = xml_child(req->op, NS_M, "PullSubscriptionRequest");
	xmlNodePtr	 str = xml_child(req->op, NS_M,
	    "StreamingSubscriptionRequest"), r, t;
	struct sub	*s;
	char		 buf[32], wm[64];
	char		*end;
	long		 timeout = 0;
	int		 types;

	/* EWS puts these in the messages namespace; tolerate types too. */
	if (pull == NULL)
		pull = xml_child(req->op, NS_T, "PullSubscriptionRequest");
	if (str == NULL)
		str = xml_child(req->op, NS_T, "StreamingSubscriptionRequest");
	if ((r = pull ? pull : str) == NULL) {
		if (xml_child(req->op, NS_M, "PushSubscriptionRequest") != NULL)
			return ews_fail(req, "ErrorInvalidPushSubscriptionUrl",
			    "The fake cannot reach a push callback URL.");
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: Subscribe needs a Pull or "
		    "Streaming subscription request.");
	}
	types = notify_event_types(xml_child(r, NS_T, "EventTypes"));
	if (xml_child(r, NS_T, "EventTypes") == NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: EventTypes is required.");
	if (pull != NULL) {
		if ((t = xml_child(r, NS_T, "Timeout")) == NULL)
			return ews_fail(req, "ErrorSchemaValidation", "The "
			    "request failed schema validation: Timeout is "
			    "required.");
		xml_text(t, buf, sizeof(buf));
		timeout = strtol(buf, &end, 10);
		if (*buf == '\0' || *end != '\0' || timeout < 1 ||
		    timeout > 1440)
			return ews_fail(req, "ErrorSchemaValidation", "The "
			    "request failed schema validation: Timeout must "
			    "be 1 to 1440 minutes.");
	}
	if (ews_begin(req) < 0)
		return -1;
	if (notify_nsubs >= NOTIFY_SUBS_MAX * 4) {
		if (ews_msg(req, "ErrorExceededSubscriptionCount") < 0)
			return -1;
		return ews_end_elem(req) < 0 ? -1 : 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ews_fail(req, "ErrorInternalServerError", NULL);
	rand_b64url(s->id, 48);
	memcpy(s->id, "F365", 4);	/* EXO's are base64 too */
	s->user = req->user;
	s->streaming = str != NULL;
	s->types = types;
	s->inbox = notify_watches_inbox(req, r);
	s->timeout_min = timeout;
	s->polled = time(NULL);
	s->seq = notify_seq;
	notify_affinity(req, s->cookie, sizeof(s->cookie));
	TAILQ_INSERT_TAIL(&subs, s, entry);
	notify_nsubs++;
	json_object_set_new(req->fx->fx_log, "subscription",
	    json_string(s->streaming ? "streaming" : "pull"));
	if (ews_msg(req, "NoError") < 0 ||
	    ews_elem(req, "m:SubscriptionId", s->id) < 0)
		return -1;
	if (!s->streaming) {
		notify_watermark(s->seq, wm, sizeof(wm));
		if (ews_elem(req, "m:Watermark", wm) < 0)
			return -1;
	}
	return ews_end_elem(req) < 0 ? -1 : 0;
}

int
ews_unsubscribe(struct ews_req *req)
{
	xmlNodePtr	 id = xml_child(req->op, NS_M, "SubscriptionId");
	struct sub	*s;
	const char	*code;
	char		 buf[128];

	if (id == NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: SubscriptionId is required.");
	s = notify_sub_byid(xml_text(id, buf, sizeof(buf)));
	if (ews_begin(req) < 0)
		return -1;
	if (notify_sub_check(req, s, &code) == -1) {
		if (ews_msg(req, code) < 0)
			return -1;
	} else {
		if (s->stream == NULL)
			notify_sub_free(s);
		else
			s->types = 0;	/* goes when its stream ends */
		if (ews_msg(req, "NoError") < 0)
			return -1;
	}
	return ews_end_elem(req) < 0 ? -1 : 0;
}

/* ---- events ---- */

/* One event element of S's queue entry E. */
static int
notify_write_event(struct ews_req *req, const struct sub *s,
    const struct notify_event *e)
{
	struct ews_ref	 item = { s->user, EK_MESSAGE, e->item, 0 };
	struct ews_ref	 inbox = { s->user, EK_FOLDER,
	    dir_folder_byname("inbox"), 0 };
	char		 wm[64];

	notify_watermark(e->seq, wm, sizeof(wm));
	if (ews_start(req, e->bit == EV_NEWMAIL ? "t:NewMailEvent" :
	    "t:CreatedEvent") < 0 ||
	    ews_elem(req, "t:Watermark", wm) < 0 ||
	    ews_time(req, "t:TimeStamp", e->when) < 0 ||
	    ews_idelem(req, "t:ItemId", &item) < 0 ||
	    ews_idelem(req, "t:ParentFolderId", &inbox) < 0)
		return -1;
	return ews_end_elem(req);
}

/* ELEM (GetEvents' m:Notification, or t:Notification inside
 * m:Notifications) of S with its queue (or a StatusEvent), emptied.
 * PREV: the watermark the client gave, or NULL. */
static int
notify_write(struct ews_req *req, const char *elem, struct sub *s,
    const char *prev)
{
	char	 wm[64];

	if (ews_start(req, elem) < 0 ||
	    ews_elem(req, "t:SubscriptionId", s->id) < 0)
		return -1;
	if (prev != NULL && (ews_elem(req, "t:PreviousWatermark", prev) < 0 ||
	    ews_elem(req, "t:MoreEvents", "false") < 0))
		return -1;
	for (size_t i = 0; i < s->nq; i++) {
		if (notify_write_event(req, s, &s->q[i]) < 0)
			return -1;
		s->seq = s->q[i].seq;
	}
	if (s->nq == 0) {
		notify_watermark(s->seq, wm, sizeof(wm));
		if (ews_start(req, "t:StatusEvent") < 0 ||
		    ews_elem(req, "t:Watermark", wm) < 0 ||
		    ews_end_elem(req) < 0)
			return -1;
	}
	s->nq = 0;
	return ews_end_elem(req);
}

int
ews_get_events(struct ews_req *req)
{
	xmlNodePtr	 idn = xml_child(req->op, NS_M, "SubscriptionId");
	xmlNodePtr	 wmn = xml_child(req->op, NS_M, "Watermark");
	struct sub	*s;
	const char	*code;
	char		 id[128], wm[64];
	unsigned long	 seq;

	if (idn == NULL || wmn == NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: SubscriptionId and Watermark "
		    "are required.");
	s = notify_sub_byid(xml_text(idn, id, sizeof(id)));
	xml_text(wmn, wm, sizeof(wm));
	if (ews_begin(req) < 0)
		return -1;
	if (notify_sub_check(req, s, &code) == -1 || s->streaming) {
		if (ews_msg(req, s && s->streaming ?
		    "ErrorInvalidPullSubscriptionId" : code) < 0)
			return -1;
	} else if (notify_watermark_parse(wm, &seq) == -1 || seq > s->seq) {
		if (ews_msg(req, "ErrorInvalidWatermark") < 0)
			return -1;
	} else {
		s->polled = time(NULL);
		if (ews_msg(req, "NoError") < 0 ||
		    notify_write(req, "m:Notification", s, wm) < 0)
			return -1;
	}
	return ews_end_elem(req) < 0 ? -1 : 0;
}

/* ---- GetStreamingEvents ---- */

static void	notify_stream_send(struct stream *, int closed);

static void
notify_stream_free(struct stream *st)
{
	struct sub	*s, *next;

	for (s = TAILQ_FIRST(&subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->stream == st) {
			s->stream = NULL;
			if (s->types == 0)	/* unsubscribed meanwhile */
				notify_sub_free(s);
		}
	}
	if (st->tick != NULL)
		event_free(st->tick);
	if (st->end != NULL)
		event_free(st->end);
	reqlog_busy(st->user, 1, -1);
	free(st);
}

static void
notify_stream_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct stream	*st = arg;

	log_info("GetStreamingEvents: client left");
	if (evhttp_request_get_connection(st->req) == NULL)
		evhttp_request_free(st->req);
	notify_stream_free(st);
}

static void
notify_stream_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_stream_send(arg, 0);
}

static void
notify_stream_end_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_stream_send(arg, 1);
}

/* One whole envelope of ST: pending notifications, or a keep-alive;
 * CLOSED ends the response after it. */
static void
notify_stream_send(struct stream *st, int closed)
{
	struct ews_req	 req;
	struct sub	*s;
	struct evbuffer	*out = NULL;
	struct timeval	 tv;
	int		 any = 0, rc = -1;

	memset(&req, 0, sizeof(req));
	req.opname = "GetStreamingEvents";
	TAILQ_FOREACH(s, &subs, entry)
		any |= s->stream == st && s->nq > 0;
	if (ews_begin(&req) < 0 || ews_msg(&req, "NoError") < 0)
		goto done;
	if (any) {
		if (ews_start(&req, "m:Notifications") < 0)
			goto done;
		TAILQ_FOREACH(s, &subs, entry)
			if (s->stream == st && s->nq > 0 &&
			    notify_write(&req, "t:Notification", s, NULL) < 0)
				goto done;
		if (ews_end_elem(&req) < 0)
			goto done;
	}
	if (ews_elem(&req, "m:ConnectionStatus", closed ? "Closed" : "OK") < 0
	    || xmlTextWriterEndDocument(req.w) < 0 ||
	    xmlTextWriterFlush(req.w) < 0 || (out = evbuffer_new()) == NULL ||
	    evbuffer_add(out, xmlBufferContent(req.buf),
	    xmlBufferLength(req.buf)) == -1)
		goto done;
	rc = 0;
done:
	if (rc == 0)
		evhttp_send_reply_chunk(st->req, out);
	if (out != NULL)
		evbuffer_free(out);
	xmlFreeTextWriter(req.w);
	xmlBufferFree(req.buf);
	if (rc == -1 || closed) {
		evhttp_connection_set_closecb(st->evcon, NULL, NULL);
		if (rc == 0)
			evhttp_send_reply_end(st->req);
		else	/* cut off: must not look complete */
			evhttp_connection_free(st->evcon);
		notify_stream_free(st);
		return;
	}
	tv.tv_sec = fake.stream_keepalive_ms / 1000;
	tv.tv_usec = fake.stream_keepalive_ms % 1000 * 1000;
	evtimer_add(st->tick, &tv);
}

/* Per-subscription errors: one envelope, ConnectionStatus Closed. */
static int
notify_stream_refuse(struct ews_req *req, const char *code,
    const char *bad)
{
	if (ews_begin(req) < 0 || ews_msg(req, code) < 0 ||
	    ews_start(req, "m:ErrorSubscriptionIds") < 0 ||
	    ews_elem(req, "t:SubscriptionId", bad) < 0 ||
	    ews_end_elem(req) < 0 ||
	    ews_elem(req, "m:ConnectionStatus", "Closed") < 0)
		return -1;
	return ews_end_elem(req) < 0 ? -1 : 0;
}

int
ews_get_streaming_events(struct ews_req *req)
{
	xmlNodePtr	 ids = xml_child(req->op, NS_M, "SubscriptionIds");
	xmlNodePtr	 ct = xml_child(req->op, NS_M, "ConnectionTimeout"), n;
	struct sub	*s, *found[NOTIFY_IDS_MAX];
	struct stream	*st;
	const char	*code;
	char		 id[128], buf[16], *end;
	struct timeval	 tv;
	long		 minutes;
	size_t		 nfound = 0;

	if (ids == NULL || ct == NULL)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: SubscriptionIds and "
		    "ConnectionTimeout are required.");
	xml_text(ct, buf, sizeof(buf));
	minutes = strtol(buf, &end, 10);
	if (*buf == '\0' || *end != '\0' || minutes < 1 || minutes > 30)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: ConnectionTimeout must be 1 "
		    "to 30 minutes.");
	XML_FOREACH(n, ids, NS_T, "SubscriptionId") {
		s = notify_sub_byid(xml_text(n, id, sizeof(id)));
		if (nfound == NOTIFY_IDS_MAX)
			return ews_fail(req, "ErrorInvalidRequest", "At most "
			    "200 subscription ids per request.");
		if (notify_sub_check(req, s, &code) == -1)
			return notify_stream_refuse(req, code, id);
		if (!s->streaming || s->stream != NULL)	/* pull, or busy */
			return notify_stream_refuse(req,
			    "ErrorInvalidSubscription", id);
		found[nfound++] = s;
	}
	if (nfound == 0)
		return ews_fail(req, "ErrorSchemaValidation", "The request "
		    "failed schema validation: SubscriptionIds is empty.");
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->tick = evtimer_new(fake.base, notify_stream_tick_cb, st)) ==
	    NULL ||
	    (st->end = evtimer_new(fake.base, notify_stream_end_cb, st)) ==
	    NULL) {
		if (st != NULL && st->tick != NULL)
			event_free(st->tick);
		free(st);
		return ews_fail(req, "ErrorInternalServerError", NULL);
	}
	for (size_t i = 0; i < nfound; i++)
		found[i]->stream = st;
	st->user = req->user;
	st->req = req->fx->fx_req;
	st->evcon = evhttp_request_get_connection(st->req);
	reqlog_busy(st->user, 1, 1);
	json_object_set_new(req->fx->fx_log, "stream_minutes",
	    json_integer(minutes));
	fx_stream_start(req->fx, "text/xml; charset=utf-8");
	req->fx = NULL;
	evhttp_connection_set_closecb(st->evcon, notify_stream_closed_cb, st);
	tv.tv_sec = minutes * fake.stream_minute_ms / 1000;
	tv.tv_usec = minutes * fake.stream_minute_ms % 1000 * 1000;
	evtimer_add(st->end, &tv);
	notify_stream_send(st, 0);
	return 1;
}

/* ---- POST /_fake/notify ---- */

int
notify_new_mail(int user, char *item_id, size_t len)
{
	struct ews_ref	 ref = { user, EK_MESSAGE, 0, 0 };
	struct sub	*s;
	struct stream	*st;
	int		 reached = 0, k;

	if (user < 0 || user >= NOTIFY_USERS_MAX)
		return -1;
	k = notify_mails[user]++;
	ref.n = (int)dir_count(DIR_MESSAGES) + k;
	ews_id(&ref, item_id, len);
	notify_seq++;
	TAILQ_FOREACH(s, &subs, entry) {
		if (s->user != user || !s->inbox)
			continue;
		for (int b = EV_NEWMAIL; b <= EV_CREATED; b <<= 1)
			if ((s->types & b) && s->nq < NOTIFY_QUEUE_MAX) {
				s->q[s->nq].seq = notify_seq;
				s->q[s->nq].bit = b;
				s->q[s->nq].item = ref.n;
				s->q[s->nq].when = time(NULL);
				s->nq++;
			}
		reached++;
	}
	/* Streams deliver at once, not at the next keep-alive. */
	for (;;) {
		st = NULL;
		TAILQ_FOREACH(s, &subs, entry)
			if (s->stream != NULL && s->nq > 0) {
				st = s->stream;
				break;
			}
		if (st == NULL)
			break;
		event_del(st->tick);
		notify_stream_send(st, 0);
	}
	return reached;
}

void
notify_reset(void)
{
	struct sub	*s, *next;

	for (s = TAILQ_FIRST(&subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->stream == NULL)
			notify_sub_free(s);
	}
	memset(notify_cookies, 0, sizeof(notify_cookies));
}
