/* `ewsgw login NAME [--browser]`: sign one delegated user in, with the
 * device code or with the authorization code + PKCE in a browser. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "net/net.h"

#define CLI_LOGIN_USAGE	"usage: ewsgw [-c FILE] login NAME [--browser]\n"
#define CLI_LOGIN_HELP \
	"Signs NAME (a delegated user) in once; its refresh token is stored\n" \
	"sealed and kept fresh by 'ewsgw serve'.\n" \
	"  (default)  device code: prints a URL and a code to enter there\n" \
	"  --browser  authorization code + PKCE: prints the sign-in URL;\n" \
	"             paste the address the browser lands on (or the code)\n" \
	"             on stdin; or, with redirect_uri = http://localhost\n" \
	"             (or http://localhost:PORT) in the config, ewsgw\n" \
	"             receives the redirect itself\n"

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

/* The user name from ARGV, or NULL after printing usage (*RC set);
 * *BROWSER set by --browser. */
static const char *
cli_login_args(int argc, char **argv, int *browser, int *rc)
{
	const char	*name = NULL;
	int		 i, opts = 1;

	for (i = 1; i < argc; i++) {
		if (opts && strcmp(argv[i], "--") == 0)
			opts = 0;
		else if (opts && (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)) {
			fputs(CLI_LOGIN_USAGE CLI_LOGIN_HELP, stdout);
			*rc = 0;
			return NULL;
		} else if (opts && strcmp(argv[i], "--browser") == 0)
			*browser = 1;
		else if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
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
	int			 rc = 1, browser = 0;

	memset(&cl, 0, sizeof(cl));
	if ((name = cli_login_args(argc, argv, &browser, &rc)) == NULL)
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
	if (browser)
		cl.cl_login = auth_login_browser_start(cl.cl_base, loop, conf,
		    store, name, STDIN_FILENO, cli_login_done_cb, &cl,
		    cl.cl_reason, sizeof(cl.cl_reason));
	else
		cl.cl_login = auth_login_start(cl.cl_base, loop, conf, store,
		    name, cli_login_done_cb, &cl, cl.cl_reason,
		    sizeof(cl.cl_reason));
	if (cl.cl_login == NULL)
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
