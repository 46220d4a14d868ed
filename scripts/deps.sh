#!/bin/sh
# Installs what ewsgw needs to build and test on Debian/Ubuntu.
# As root it runs apt-get; otherwise it prints the one command to run.
set -u
PKGS="build-essential pkg-config libevent-dev libcurl4-openssl-dev libxml2-dev
libxml2-utils libssl-dev libjansson-dev libsqlite3-dev libinih-dev
libcmocka-dev python3-exchangelib curl sqlite3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null &&
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "deps: apt-get install failed" >&2; exit 1; }
