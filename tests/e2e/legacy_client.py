"""A legacy EWS client: exchangelib with Basic auth, pointed at ewsgw.

usage: legacy_client.py ENDPOINT USER PASSWORD MAILBOX
Reads the newest inbox items and this week's calendar view; prints what
it saw and exits 0 when both came back non-empty.
"""
import datetime
import sys

from exchangelib import (BASIC, DELEGATE, Account, Configuration,
                         Credentials, EWSDateTime, EWSTimeZone)
from exchangelib.protocol import BaseProtocol


def basic_account(endpoint, user, password, mailbox):
    """exchangelib's Account of MAILBOX at ENDPOINT with Basic auth."""
    BaseProtocol.TIMEOUT = 30
    config = Configuration(service_endpoint=endpoint,
                           credentials=Credentials(user, password),
                           auth_type=BASIC)
    return Account(primary_smtp_address=mailbox, config=config,
                   autodiscover=False, access_type=DELEGATE)


def main():
    account = basic_account(*sys.argv[1:5])
    inbox = list(account.inbox.all().order_by('-datetime_received')[:10])
    for item in inbox:
        print("inbox:", item.subject)
    tz = EWSTimeZone('UTC')
    today = datetime.date.today()
    start = EWSDateTime(today.year, today.month, today.day, tzinfo=tz)
    start -= datetime.timedelta(days=7)
    end = start + datetime.timedelta(days=21)
    events = list(account.calendar.view(start=start, end=end))
    for ev in events:
        print("calendar:", ev.start, ev.subject)
    print("version:", account.version.api_version)
    if not inbox or not events:
        print("empty inbox or calendar", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
