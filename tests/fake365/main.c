/*
 * fake365 main: arguments, the event base, signals.
 *
 *   fake365 --listen 127.0.0.1:PORT [--log FILE] [--tenant ID]
 *       [--client-id ID] [--token-lifetime S] [--device-interval S]
 *       [--auto-approve UPN] [--client-secret FILE] [--client-cert FILE]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxml/parser.h>

#include "log.h"
#include "tests/fake365/fake365.h"

struct fake_conf fake = {
	.tenant = FAKE_TENANT_ID,
	.client_id = FAKE_CLIENT_ID,
	.token_lifetime = 3600,
	.refresh_lifetime = 90 * 86400,
	.device_interval = 5,
	.device_expires_in = 900,
	.code_lifetime = 600,
	.stream_minute_ms = 60000,
	.stream_keepalive_ms = 30000,
};

static const struct option main_opts[] = {
	{ "listen",		required_argument, NULL, 'l' },
	{ "log",		required_argument, NULL, 'L' },
	{ "tenant",		required_argument, NULL, 't' },
	{ "client-id",		required_argument, NULL, 'c' },
	{ "token-lifetime",	required_argument, NULL, 'T' },
	{ "device-interval",	required_argument, NULL, 'i' },
	{ "auto-approve",	required_argument, NULL, 'a' },
	{ "client-secret",	required_argument, NULL, 'S' },
	{ "client-cert",	required_argument, NULL, 'C' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: fake365 --listen HOST:PORT "
	    "[--log FILE] [--tenant ID] [--client-id ID]\n"
	    "\t[--token-lifetime S] [--device-interval S] "
	    "[--auto-approve UPN]\n"
	    "\t[--client-secret FILE] [--client-cert FILE]\n");
	exit(status);
}

static long
main_number(const char *s, long min, long max)
{
	char	*end;
	long	 n;

	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < min || n > max)
		usage(2);
	return n;
}

/* "HOST:PORT" into HOST (at most LEN) and the port. */
static int
main_listen(const char *arg, char *host, size_t len, int *port)
{
	const char	*colon = strrchr(arg, ':');

	if (colon == NULL || (size_t)(colon - arg) >= len || colon == arg)
		return -1;
	memcpy(host, arg, colon - arg);
	host[colon - arg] = '\0';
	*port = (int)main_number(colon + 1, 1, 65535);
	return 0;
}

static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: exiting", (int)sig);
	event_base_loopexit(fake.base, NULL);
}

int
main(int argc, char **argv)
{
	struct event	*sigterm = NULL, *sigint = NULL;
	const char	*listen = NULL, *logpath = NULL;
	char		 host[64];
	int		 c, port = 0;

	log_init(LOG_LEVEL_INFO, 0);
	while ((c = getopt_long(argc, argv, "h", main_opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'L': logpath = optarg; break;
		case 't': fake.tenant = optarg; break;
		case 'c': fake.client_id = optarg; break;
		case 'T':
			fake.token_lifetime = main_number(optarg, 1, 86400);
			break;
		case 'i':
			fake.device_interval = main_number(optarg, 1, 60);
			break;
		case 'a':
			if (dir_user_byupn(optarg) == -1)
				fatalx("--auto-approve: no user %s", optarg);
			fake.auto_approve = optarg;
			break;
		case 'S':
			if (client_secret_load(optarg) == -1)
				fatalx("--client-secret: cannot read %s",
				    optarg);
			break;
		case 'C':
			if (client_cert_load(optarg) == -1)
				fatalx("--client-cert: no PEM certificate in "
				    "%s", optarg);
			break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (optind != argc || listen == NULL ||
	    main_listen(listen, host, sizeof(host), &port) == -1)
		usage(2);

	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();
	if (jwt_init() == -1)
		fatalx("cannot make the signing key");
	if (logpath != NULL && reqlog_open(logpath) == -1)
		fatal("%s", logpath);
	if ((fake.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	snprintf(fake.base_url, sizeof(fake.base_url), "http://%s:%d",
	    host, port);
	if (http_start(host, port) == -1)
		fatalx("cannot listen on %s", listen);
	sigterm = evsignal_new(fake.base, SIGTERM, main_signal_cb, NULL);
	sigint = evsignal_new(fake.base, SIGINT, main_signal_cb, NULL);
	if (sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) == -1 || evsignal_add(sigint, NULL) == -1)
		fatalx("signals");

	printf("fake365 listening on %s:%d\n", host, port);
	fflush(stdout);
	event_base_dispatch(fake.base);

	http_stop();
	event_free(sigterm);
	event_free(sigint);
	event_base_free(fake.base);
	reqlog_free();
	fault_clear();
	device_free();
	authorize_free();
	refresh_free();
	jwt_free();
	client_free();
	xmlCleanupParser();
	return 0;
}
