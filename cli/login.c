/* `ewsgw login NAME`: device-code sign-in for one delegated user. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "net/net.h"

#define CLI_LOGIN_USAGE	"usage: ewsgw [-c FILE] login NAME\n"

struct cli_login {
	struct event_base	*cl_base;
	struct auth_login	*cl_login;	/* NULL once done */
	int			 cl_rc;
	char			 cl_reason[512];
};

static void
cli_login_done_cb(void *arg, int rc, const char *errmsg)
{
	struct cli_login	*cl = arg;

	cl->cl_login = NULL;
	cl->cl_rc = rc == 0 ? 0 : 1;
	snprintf(cl->cl_reason, sizeof(cl->cl_reason), "%s",
	    errmsg != NULL ? errmsg : "");
	event_base_loopbreak(cl->cl_base);
}

static void
cli_login_signal_cb(int sig, short events, void *arg)
{
	struct cli_login	*cl = arg;

	auth_login_cancel(cl->cl_login);
	cl->cl_login = NULL;
	cl->cl_rc = 1;
	snprintf(cl->cl_reason, sizeof(cl->cl_reason), "sign-in cancelled");
	event_base_loopbreak(cl->cl_base);
}

/* The user name from ARGV, or NULL after printing usage (*RC set). */
static const char *
cli_login_args(int argc, char **argv, int *rc)
{
	const char	*name = NULL;
	int		 i, opts = 1;

	for (i = 1; i < argc; i++) {
		if (opts && strcmp(argv[i], "--") == 0)
			opts = 0;
		else if (opts && (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)) {
			fputs(CLI_LOGIN_USAGE, stdout);
			*rc = 0;
			return NULL;
		} else if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "ewsgw: login: unknown option %s\n"
			    CLI_LOGIN_USAGE, argv[i]);
			*rc = 2;
			return NULL;
		} else if (name == NULL)
			name = argv[i];
		else {
			fputs(CLI_LOGIN_USAGE, stderr);
			*rc = 2;
			return NULL;
		}
	}
	if (name == NULL) {
		fputs(CLI_LOGIN_USAGE, stderr);
		*rc = 2;
	}
	return name;
}

int
cli_login(int argc, char **argv, const char *conf_arg)
{
	struct cli_login	 cl;
	struct conf		*conf = NULL;
	struct net_loop		*loop = NULL;
	struct store		*store = NULL;
	struct event		*sigint = NULL, *sigterm = NULL;
	const char		*name;
	int			 rc = 1;

	memset(&cl, 0, sizeof(cl));
	if ((name = cli_login_args(argc, argv, &rc)) == NULL)
		return rc;
	if ((conf = cli_conf_load(conf_arg)) == NULL)
		return 1;
	if ((cl.cl_base = event_base_new()) == NULL ||
	    (loop = net_loop_new(cl.cl_base)) == NULL) {
		snprintf(cl.cl_reason, sizeof(cl.cl_reason),
		    "cannot set up the event loop");
		goto fail;
	}
	if ((store = store_open(conf->state_dir, 1, cl.cl_reason,
	    sizeof(cl.cl_reason))) == NULL)
		goto fail;
	if ((sigint = evsignal_new(cl.cl_base, SIGINT, cli_login_signal_cb,
	    &cl)) == NULL || event_add(sigint, NULL) == -1 ||
	    (sigterm = evsignal_new(cl.cl_base, SIGTERM, cli_login_signal_cb,
	    &cl)) == NULL || event_add(sigterm, NULL) == -1) {
		snprintf(cl.cl_reason, sizeof(cl.cl_reason),
		    "cannot catch signals");
		goto fail;
	}
	if ((cl.cl_login = auth_login_start(cl.cl_base, loop, conf, store,
	    name, cli_login_done_cb, &cl, cl.cl_reason,
	    sizeof(cl.cl_reason))) == NULL)
		goto fail;
	cl.cl_rc = 1;
	snprintf(cl.cl_reason, sizeof(cl.cl_reason), "sign-in stopped");
	event_base_dispatch(cl.cl_base);
	auth_login_cancel(cl.cl_login);	/* only if the loop ended early */
	rc = cl.cl_rc;
	if (rc == 0)
		goto done;
 fail:
	fprintf(stderr, "ewsgw: %s\n", cl.cl_reason);
	rc = 1;
 done:
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
	store_close(store);
	net_loop_free(loop);
	if (cl.cl_base != NULL)
		event_base_free(cl.cl_base);
	conf_free(conf);
	return rc;
}
