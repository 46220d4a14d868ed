"""exchangelib 4.9 talking straight to fake365 with a bearer token.

usage: fake365_exchangelib.py EWS_URL ACCESS_TOKEN UPN

Lets exchangelib guess the server version, then reads the inbox, a
calendar view of the weeks around today, an attachment, and resolves a
name. Exits non-zero (with a traceback) when exchangelib cannot parse
an answer or gets other data than fake365's seed mailbox holds.
"""
import datetime
import os
import sys

# the fake speaks plain HTTP on 127.0.0.1
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

from exchangelib import (DELEGATE, OAUTH2, Account, Configuration,  # noqa: E402
                         EWSDateTime, OAuth2AuthorizationCodeCredentials)
from exchangelib.items import CalendarItem  # noqa: E402


def main():
    url, token, upn = sys.argv[1:4]
    creds = OAuth2AuthorizationCodeCredentials(access_token={
        "access_token": token, "token_type": "Bearer", "expires_in": 3600})
    conf = Configuration(service_endpoint=url, credentials=creds,
                         auth_type=OAUTH2)
    account = Account(upn, config=conf, autodiscover=False,
                      access_type=DELEGATE)
    v = account.version
    assert v.api_version == "Exchange2016", v
    assert (v.build.major_version, v.build.minor_version) == (15, 20), v
    print("version:", v)

    mails = list(account.inbox.all()[:5])
    subjects = [m.subject for m in mails]
    assert subjects == ["Travel booking confirmed",
                        "Your password expires soon", "Re: Project plan",
                        "Lunch on Friday?", "Quarterly report draft"], subjects
    times = [m.datetime_received for m in mails]
    assert times == sorted(times, reverse=True), times
    assert [m.is_read for m in mails] == [False, False, True, False, True]
    assert mails[4].sender.email_address == "bob@contoso.example"
    assert "draft is attached" in mails[4].body, mails[4].body
    att = mails[4].attachments
    assert [a.name for a in att] == ["report.txt"], att
    assert att[0].content.startswith(b"Q3 revenue: 1,234,567"), att[0].content
    print("inbox:", len(mails), "messages, attachment read")

    now = datetime.datetime.now(datetime.timezone.utc)
    start = EWSDateTime.from_datetime(now - datetime.timedelta(days=7))
    end = EWSDateTime.from_datetime(now + datetime.timedelta(days=14))
    events = list(account.calendar.view(start=start, end=end))
    assert all(isinstance(e, CalendarItem) for e in events), events
    kinds = [e.type for e in events]
    assert kinds.count("Occurrence") == 5 and kinds.count("Single") == 4, kinds
    assert [e.start for e in events] == sorted(e.start for e in events)
    standup = [e for e in events if e.subject == "Daily stand-up"]
    assert len(standup) == 5 and all(
        (e.end - e.start).total_seconds() == 900 for e in standup), standup
    print("calendar view:", len(events), "instances,",
          kinds.count("Occurrence"), "occurrences")

    found = account.protocol.resolve_names(["bob"])
    assert [m.email_address for m in found] == ["bob@contoso.example"], found
    many = account.protocol.resolve_names(["Example"])
    assert len(many) == 3, many
    print("resolve_names: bob ->", found[0].name)


if __name__ == "__main__":
    main()
