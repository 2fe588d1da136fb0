#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install, staged in a scratch DESTDIR: the module built for the
# kernel named (KVER=) into lib/modules/KVER/extra with that vermagic, the
# two programs, the man pages, tlstund@.service pointing at the installed
# daemon and the bash completion, which completes; without KVER the
# module is for the running kernel, and a kernel without headers is
# refused with the package to install. Prints TAP.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$(ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null |
	       sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
n=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		[ -n "${3:-}" ] && echo "# $3"
	fi
}

# complete WORDS...: what _tlstun offers for the last word.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		 _tlstun; echo "${COMPREPLY[*]}"' _ \
		"$STAGE/usr/share/bash-completion/completions/tlstun" "$@"
}

echo "TAP version 13"
echo "1..6"
out=$(make -s -C "$TOP" install DESTDIR="$STAGE" PREFIX=/usr KVER="$KVER" 2>&1)
result $? "make install DESTDIR=... KVER=$KVER" "$(tail -n 3 <<<"$out")"

ko=$(ls "$STAGE/lib/modules/$KVER/extra/"tlstun.ko* 2>/dev/null | head -n 1)
vermagic=$([ -n "$ko" ] && modinfo -F vermagic "$ko")
[ "${vermagic%% *}" = "$KVER" ]
result $? "the module is in lib/modules/$KVER/extra, built for $KVER" \
	"module ${ko:-none}, vermagic \"$vermagic\""

missing=
for f in usr/sbin/tlstun usr/sbin/tlstund usr/share/man/man8/tlstun.8 \
	 usr/share/man/man8/tlstund.8 usr/share/man/man5/tlstun.conf.5 \
	 etc/systemd/system/tlstund@.service; do
	[ -s "$STAGE/$f" ] || missing="$missing $f"
done
[ -x "$STAGE/usr/sbin/tlstund" ] && [ -d "$STAGE/etc/tlstun" ] &&
	[ "$(stat -c %a "$STAGE/etc/tlstun")" = 700 ] && [ -z "$missing" ] &&
	grep -qx 'ExecStart=/usr/sbin/tlstund %i' "$STAGE/etc/systemd/system/tlstund@.service"
result $? "programs, man pages, /etc/tlstun 0700 and a unit that runs /usr/sbin/tlstund" \
	"missing:${missing:- none}"

got=$(complete_words tlstun pe)/$(complete_words tlstun fdb add dev tt0 m)/$(complete_words tlstun sa add dir "")
[ "$got" = "peer/mac/rx tx" ]
result $? "the bash completion completes objects, keywords and values" "got \"$got\""

out=$(make -s -n -C "$TOP" install DESTDIR="$STAGE" 2>&1)
grep -q -- "-C /lib/modules/$(uname -r)/build M=" <<<"$out"
result $? "without KVER the module is for the running kernel, $(uname -r)"

out=$(make -s -C "$TOP" install DESTDIR="$STAGE" KVER=0.0-none 2>&1)
rc=$?
[ "$rc" != 0 ] && grep -q "no headers for kernel 0.0-none: /lib/modules/0.0-none/build is missing; apt install linux-headers-0.0-none" <<<"$out"
result $? "a kernel without headers is refused, naming the package" "exit $rc: $(tail -n 1 <<<"$out")"
