/*
 * faultdump DIR: writes every EWS fault ewsgw can send, one file per
 * ResponseCode (DIR/<Name>.xml), with a message full of characters that
 * need escaping, a gateway reason and a back-off hint, so that a test can
 * hold each of them against the EWS schemas.
 */
#include <stdio.h>
#include <stdlib.h>

#include "soap/soap.h"

int
main(int argc, char **argv)
{
	const char	*msg = "a <message> & \"quotes\" 'apostrophes' é \x01";
	char		 path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: faultdump DIR\n");
		return 2;
	}
	for (int code = 0; code < SOAP_FAULT_NCODES; code++) {
		size_t	 len;
		char	*xml = soap_fault_build(code, msg, "test_reason",
		    code % 2 ? 5000 : 0, &len);
		FILE	*f;

		snprintf(path, sizeof(path), "%s/%s.xml", argv[1],
		    soap_fault_name(code));
		if (xml == NULL || (f = fopen(path, "w")) == NULL ||
		    fwrite(xml, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "faultdump: cannot write %s\n", path);
			return 1;
		}
		free(xml);
		printf("%s\n", path);
	}
	return 0;
}
