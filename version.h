/* The version ewsgw --version prints. */
#ifndef EWSGW_VERSION_H
#define EWSGW_VERSION_H

#define EWSGW_VERSION	"0.1.0"

#endif
