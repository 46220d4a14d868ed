/*
 * The listeners: legacy EWS clients on `listen`, /healthz and /metrics on
 * `admin_listen`. One struct xfer per client request (forward.c) carries
 * it from the Basic check through the token to the upstream and back.
 */
#ifndef EWSGW_PROXY_H
#define EWSGW_PROXY_H

#include <stddef.h>

struct auth;
struct conf;
struct event_base;
struct net_loop;
struct proxy;

/*
 * Binds `listen` and `admin_listen` and starts serving. Everything passed
 * in is borrowed and must outlive the proxy. NULL with a reason in err.
 */
struct proxy	*proxy_new(struct event_base *, struct net_loop *,
		    struct auth *, const struct conf *, char *err,
		    size_t errlen);
/* Stops accepting; requests in flight go on. DRAINED runs once no
 * request is left (maybe at once, never inside this call). */
void		 proxy_drain(struct proxy *, void (*drained)(void *),
		    void *arg);
/* Reloads tls_cert and tls_key for new connections (SIGHUP): 0 done,
 * -1 kept the old certificate (reason in err), 1 not serving HTTPS. */
int		 proxy_reload_tls(struct proxy *, char *err, size_t errlen);
/* Frees everything; requests still in flight are cut. NULL ok. */
void		 proxy_free(struct proxy *);

#endif
