"""exchangelib with Basic auth and access_type=IMPERSONATION through ewsgw.

usage: app_impersonate.py ENDPOINT USER PASSWORD TARGET
Reads TARGET's newest inbox items while impersonating it. Exit 0 when
they came back, 3 when ewsgw (403) or Exchange (500) refused the
impersonation with ErrorImpersonateUserDenied, 1 on anything else.
"""
import sys

from exchangelib import (BASIC, IMPERSONATION, Account, Configuration,
                         Credentials)
from exchangelib.errors import (ErrorImpersonateUserDenied,
                               MalformedResponseError)
from exchangelib.protocol import BaseProtocol


def main():
    endpoint, user, password, target = sys.argv[1:5]
    BaseProtocol.TIMEOUT = 30
    config = Configuration(service_endpoint=endpoint,
                           credentials=Credentials(user, password),
                           auth_type=BASIC)
    try:
        account = Account(primary_smtp_address=target, config=config,
                          autodiscover=False, access_type=IMPERSONATION)
        items = list(account.inbox.all().order_by('-datetime_received')[:5])
    except ErrorImpersonateUserDenied as e:
        print("refused:", e)
        return 3
    except MalformedResponseError as e:
        # exchangelib parses SOAP faults only on HTTP 500; ewsgw's 403
        # reaches it as a "malformed" answer holding the fault.
        if "Code: 403" in str(e) and "ErrorImpersonateUserDenied" in str(e):
            print("refused (403):", str(e).splitlines()[0])
            return 3
        raise
    for item in items:
        print("inbox:", item.subject)
    return 0 if items else 1


if __name__ == "__main__":
    sys.exit(main())
