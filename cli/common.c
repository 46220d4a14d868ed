/* What every subcommand does first: read the configuration, set up logs. */
#include <stdio.h>

#include "log.h"
#include "conf/conf.h"
#include "cli/cli.h"

struct conf *
cli_conf_load(const char *conf_arg)
{
	struct conf	*conf;
	char		 err[1024];

	if ((conf = conf_load(conf_path(conf_arg), err, sizeof(err))) == NULL) {
		fprintf(stderr, "ewsgw: %s\n", err);
		return NULL;
	}
	log_init(conf->log_level, conf->log_json);
	return conf;
}
