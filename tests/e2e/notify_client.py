"""A legacy client's notifications: exchangelib with Basic auth through
ewsgw, a streaming subscription and a pull subscription of the inbox.

usage: notify_client.py ENDPOINT USER PASSWORD MAILBOX FAKE_URL
FAKE_URL/_fake/notify makes the new mail. Exits 0 when the streaming
connection delivered a NewMailEvent and ended, and GetEvents did too.
"""
import json
import sys
import threading
import time
import urllib.request

from exchangelib.properties import NewMailEvent

from legacy_client import basic_account


def new_mail(fake, mailbox, delay):
    time.sleep(delay)
    req = urllib.request.Request(
        fake + "/_fake/notify", data=json.dumps({"user": mailbox}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        print("notify:", r.read().decode())


def main():
    mailbox, fake = sys.argv[4:6]
    account = basic_account(*sys.argv[1:5])

    sid = account.inbox.subscribe_to_streaming()
    print("streaming subscription; affinity cookie:",
          bool(account.affinity_cookie))
    t = threading.Thread(target=new_mail, args=(fake, mailbox, 1.0))
    t.start()
    start = time.monotonic()
    seen = []
    for notification in account.inbox.get_streaming_events(
            sid, connection_timeout=1):
        for ev in notification.events:
            print("streamed: %s after %.1fs" % (type(ev).__name__,
                                                time.monotonic() - start))
            seen.append(ev)
    t.join()
    took = time.monotonic() - start
    print("stream ended after %.1fs" % took)
    account.inbox.unsubscribe(sid)
    if not any(isinstance(e, NewMailEvent) for e in seen):
        print("no NewMailEvent streamed", file=sys.stderr)
        return 1

    sid, watermark = account.inbox.subscribe_to_pull()
    new_mail(fake, mailbox, 0)
    names = [type(e).__name__
             for n in account.inbox.get_events(sid, watermark)
             for e in n.events]
    print("pulled:", names)
    account.inbox.unsubscribe(sid)
    if "NewMailEvent" not in names:
        print("no NewMailEvent pulled", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
