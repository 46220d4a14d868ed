/*
 * net/ internals shared by loop.c (curl multi <-> libevent), fetch.c
 * (one exchange), simple.c, result.c and trace.c. Nothing outside net/
 * includes this.
 */
#ifndef EWSGW_NET_INT_H
#define EWSGW_NET_INT_H

#include <sys/queue.h>

#include <curl/curl.h>

#include "net/net.h"

struct event;
struct net_sock;

struct net_loop {
	struct event_base	*nl_base;	/* borrowed */
	CURLM			*nl_multi;
	struct event		*nl_timer;	/* curl's one timeout */
	struct event		*nl_reaper;	/* zero-delay: drains nl_reap */
	TAILQ_HEAD(, fetch)	 nl_fetches;	/* every fetch not yet freed */
	TAILQ_HEAD(, fetch)	 nl_reap;	/* cancelled or failed on resume */
	LIST_HEAD(, net_sock)	 nl_socks;	/* curl's sockets we watch */
	unsigned long		 nl_nextid;	/* for debug lines */
};

enum fetch_state {
	FETCH_NEW,		/* built, not started: no curl callbacks */
	FETCH_RUNNING,		/* in the multi */
	FETCH_ENDING,		/* out of the multi, done() about to run */
	FETCH_DEAD,		/* cancelled: no callback runs any more */
};

struct fetch {
	struct net_loop		*f_loop;	/* borrowed */
	CURL			*f_easy;
	struct curl_slist	*f_headers;
	struct fetch_handlers	 f_h;
	void			*f_arg;		/* borrowed */
	char			*f_method;
	const void		*f_body;	/* f_body_copy or borrowed */
	char			*f_body_copy;	/* wiped before free */
	size_t			 f_body_len;
	int			 f_has_body;
	int			 f_has_ctype;	/* caller set Content-Type */
	int			 f_has_accept;	/* caller set Accept */
	enum fetch_state	 f_state;
	long			 f_status;	/* last final status seen */
	int			 f_interim;	/* inside a 1xx header block */
	int			 f_hdrs_done;	/* headers_done was called */
	int			 f_in_multi;
	int			 f_paused;
	int			 f_aborted;	/* a handler asked to stop */
	int			 f_reaping;	/* on nl_reap */
	CURLcode		 f_reap_code;	/* completes with this if alive */
	void			(*f_on_free)(void *);
	void			*f_on_free_arg;
	unsigned long		 f_id;
	char			 f_errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(fetch)	 f_entry;	/* nl_fetches */
	TAILQ_ENTRY(fetch)	 f_reap_entry;	/* nl_reap */
};

/* loop.c */
/* Queues F for the zero-delay reaper: freed when dead, else completed
 * with f_reap_code. Idempotent. */
void	net_loop_reap(struct net_loop *, struct fetch *);

/* fetch.c */
/* Curl finished F with CODE: takes it out of the multi, runs done()
 * unless cancelled, frees it. Not inside a curl callback. */
void	fetch_finish(struct fetch *, CURLcode);
/* Takes F out of the multi and frees it; no callback runs. */
void	fetch_destroy(struct fetch *);
/* FN(ARG) runs once when F is freed, on every path (done, cancel,
 * net_loop_free): simple.c frees its state there. */
void	fetch_on_free(struct fetch *, void (*fn)(void *), void *arg);

/* result.c */
/* CODE as a fetch_result; ABORTED when one of our handlers stopped it. */
enum fetch_result net_result_bycode(CURLcode code, int aborted);

/* trace.c */
/* CURLOPT_DEBUGFUNCTION: header and info lines at debug level with
 * credentials redacted; never body data. CLIENTP is the fetch. */
int	net_trace_cb(CURL *, curl_infotype, char *, size_t, void *clientp);

#endif
