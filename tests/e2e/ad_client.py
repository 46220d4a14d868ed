"""exchangelib's own Autodiscover against ewsgw, then a read of the inbox.

usage: ad_client.py GATEWAY USER PASSWORD MAILBOX

GATEWAY is the base URL (http://127.0.0.1:PORT or https://...); POX and
then SOAP Autodiscover must both name GATEWAY/EWS/Exchange.asmx.

exchangelib looks for https://DOMAIN/... and https://autodiscover.DOMAIN/...
in DNS. To stay on 127.0.0.1 its Autodiscover cache is seeded with AD_URL
for the mailbox's domain, which is what it stores after a successful DNS
lookup; from there exchangelib's own request and response parsing run
against ewsgw (POX or SOAP GetUserSettings), it takes the EWS URL from the
answer, and the inbox is read through it. Run with TMPDIR set to the
test's directory (exchangelib keeps that cache in a file there) and, for
https, REQUESTS_CA_BUNDLE naming the CA to trust.
"""
import sys

from exchangelib import (BASIC, DELEGATE, Account, Configuration,
                         Credentials, FailFast)
from exchangelib.autodiscover import AutodiscoverProtocol
from exchangelib.autodiscover.cache import autodiscover_cache
from exchangelib.protocol import BaseProtocol


FLAVOURS = {
    "pox": "autodiscover/autodiscover.xml",
    "soap": "autodiscover/autodiscover.svc",
}


def discover(gateway, creds, mailbox, flavour):
    domain = mailbox.split("@", 1)[1].lower()
    autodiscover_cache.clear()
    autodiscover_cache[(domain, creds)] = AutodiscoverProtocol(
        config=Configuration(service_endpoint=f"{gateway}/{FLAVOURS[flavour]}",
                             credentials=creds, auth_type=BASIC,
                             retry_policy=FailFast()))
    account = Account(primary_smtp_address=mailbox, credentials=creds,
                      config=Configuration(credentials=creds,
                                           auth_type=BASIC),
                      autodiscover=flavour, access_type=DELEGATE)
    got, want = account.protocol.service_endpoint, f"{gateway}/EWS/Exchange.asmx"
    print(f"{flavour}: autodiscovered {got}")
    if got != want:
        print(f"{flavour}: EWS URL {got}, want {want}", file=sys.stderr)
        return False
    inbox = list(account.inbox.all().order_by('-datetime_received')[:5])
    for item in inbox:
        print(f"{flavour}: inbox: {item.subject}")
    return bool(inbox)


def main():
    gateway, user, password, mailbox = sys.argv[1:5]
    BaseProtocol.TIMEOUT = 30
    creds = Credentials(user, password)
    ok = all([discover(gateway, creds, mailbox, f) for f in FLAVOURS])
    autodiscover_cache.clear()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
