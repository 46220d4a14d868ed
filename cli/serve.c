/* ewsgw serve: the gateway's event loop until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "log.h"
#include "net/net.h"
#include "proxy/proxy.h"
#include "version.h"

/* How long requests in flight may take to finish after SIGTERM. */
#define SERVE_DRAIN_S	10

struct serve {
	struct event_base	*base;
	struct proxy		*proxy;
	struct event		*sigterm;
	struct event		*sigint;
	struct event		*sighup;
	struct event		*deadline;
	int			 stopping;
};

static void
serve_drained_cb(void *arg)
{
	struct serve	*s = arg;

	log_info("all requests finished; exiting");
	event_base_loopexit(s->base, NULL);
}

static void
serve_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct serve	*s = arg;

	log_warnx("requests still running after %d s; cutting them",
	    SERVE_DRAIN_S);
	event_base_loopexit(s->base, NULL);
}

static void
serve_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct serve	*s = arg;
	struct timeval	 tv = { SERVE_DRAIN_S, 0 };

	if (s->stopping) {
		log_info("second signal; exiting now");
		event_base_loopexit(s->base, NULL);
		return;
	}
	s->stopping = 1;
	log_info("%s: no new connections; waiting for requests in flight",
	    strsignal((int)sig));
	evtimer_add(s->deadline, &tv);
	proxy_drain(s->proxy, serve_drained_cb, s);
}

/* SIGHUP: a renewed TLS certificate for new connections. */
static void
serve_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct serve	*s = arg;
	char		 err[512];

	switch (proxy_reload_tls(s->proxy, err, sizeof(err))) {
	case 0:
		break;
	case 1:
		log_info("SIGHUP: not serving HTTPS; nothing to reload");
		break;
	default:
		log_warnx("SIGHUP: kept the old TLS certificate: %s", err);
		break;
	}
}

/* libevent's own warnings, into our log. */
static void
serve_event_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

int
cli_serve(int argc, char **argv, const char *conf_arg)
{
	struct serve	 s;
	struct conf	*conf = NULL;
	struct net_loop	*net = NULL;
	struct auth	*auth = NULL;
	char		 err[512];
	int		 ret = 1;

	memset(&s, 0, sizeof(s));
	if (argc > 1) {
		int	 help = strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0;

		fprintf(help ? stdout : stderr, "usage: ewsgw [-c FILE] "
		    "serve\n  Runs the gateway in the foreground.\n");
		return help ? 0 : 2;
	}
	if ((conf = cli_conf_load(conf_arg)) == NULL)
		return 1;
	event_set_log_callback(serve_event_log_cb);
	if (evthread_use_pthreads() == -1 ||
	    (s.base = event_base_new()) == NULL ||
	    (net = net_loop_new(s.base)) == NULL) {
		fprintf(stderr, "ewsgw: cannot set up the event loop\n");
		goto done;
	}
	if ((auth = auth_new(s.base, net, conf, err, sizeof(err))) == NULL ||
	    (s.proxy = proxy_new(s.base, net, auth, conf, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "ewsgw: %s\n", err);
		goto done;
	}
	s.sigterm = evsignal_new(s.base, SIGTERM, serve_signal_cb, &s);
	s.sigint = evsignal_new(s.base, SIGINT, serve_signal_cb, &s);
	s.sighup = evsignal_new(s.base, SIGHUP, serve_hup_cb, &s);
	s.deadline = evtimer_new(s.base, serve_deadline_cb, &s);
	if (s.sigterm == NULL || s.sigint == NULL || s.sighup == NULL ||
	    s.deadline == NULL || evsignal_add(s.sigterm, NULL) == -1 ||
	    evsignal_add(s.sigint, NULL) == -1 ||
	    evsignal_add(s.sighup, NULL) == -1) {
		fprintf(stderr, "ewsgw: cannot set up signals\n");
		goto done;
	}
	log_info("ewsgw %s serving (config %s)", EWSGW_VERSION, conf->path);
	if (event_base_dispatch(s.base) == -1) {
		log_warnx("event loop failed");
		goto done;
	}
	ret = 0;
done:
	proxy_free(s.proxy);
	auth_free(auth);
	net_loop_free(net);
	if (s.sigterm != NULL)
		event_free(s.sigterm);
	if (s.sigint != NULL)
		event_free(s.sigint);
	if (s.sighup != NULL)
		event_free(s.sighup);
	if (s.deadline != NULL)
		event_free(s.deadline);
	if (s.base != NULL)
		event_base_free(s.base);
	conf_free(conf);
	return ret;
}
