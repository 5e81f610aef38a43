#!/usr/bin/env bash
# tests/integration/job/hmac.test.sh - the job's HMAC-SHA256 (backup.sh --sign, used for
# the webhook's X-DeepLens-Signature), written in POSIX sh with sha256sum, od, awk and
# printf because the runner image has no openssl: the RFC 4231 test cases 1-4, 6 and 7
# (case 5 is a truncated MAC) and random keys and messages holding NUL and every other
# byte, compared with python3's hmac. Under dash on the host and under the runner
# image's /bin/sh (busybox ash) through the engine when the test bed is up. Prints TAP.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
job=$(cd "$here/../../.." && pwd)/src/backup/job/backup.sh
work=$(mktemp -d /tmp/dl-hmac.XXXXXX)
trap 'rm -rf "$work"' EXIT

t_n=0 t_failed=0
is() {
    t_n=$((t_n + 1))
    if [ "$2" = "$3" ]; then echo "ok $t_n - $1"; else
        t_failed=$((t_failed + 1))
        printf 'not ok %s - %s\n#   got:      %s\n#   expected: %s\n' "$t_n" "$1" "$2" "$3"
    fi
}

# the RFC 4231 cases: key hex, data hex, HMAC-SHA256
cases=(
    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 4869205468657265 b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    "4a656665 7768617420646f2079612077616e7420666f72206e6f7468696e673f 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    "$(printf 'aa%.0s' {1..20}) $(printf 'dd%.0s' {1..50}) 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
    "0102030405060708090a0b0c0d0e0f10111213141516171819 $(printf 'cd%.0s' {1..50}) 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
    "$(printf 'aa%.0s' {1..131}) 54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    "$(printf 'aa%.0s' {1..131}) $(printf '%s' 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.' | od -An -v -tx1 | tr -d ' \n') 9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
)
# random cases: NUL, 0x36 and 0x5c (zero after the pads), high bytes; key lengths 1-100
for _ in 1 2 3 4 5; do
    k=$(python3 -c "import os,random; print(os.urandom(random.choice([1,32,63,64,65,100])).hex())")
    d=$(python3 -c "import os; print((b'\x00\x36\x5c\xff\n' + os.urandom(300) + b'\x00').hex())")
    m=$(python3 -c "import hmac,hashlib,sys; print(hmac.new(bytes.fromhex('$k'), bytes.fromhex('$d'), hashlib.sha256).hexdigest())")
    cases+=("$k $d $m")
done

# each case's key and message as files k<i>, d<i>, beside a minimal backup.conf
i=0
for c in "${cases[@]}"; do
    read -r k d _ <<< "$c"
    python3 -c "open('$work/k$i','wb').write(bytes.fromhex('$k')); open('$work/d$i','wb').write(bytes.fromhex('$d'))"
    i=$((i + 1))
done
printf 'TENANT=hmac\nDB=x\n' > "$work/conf"
cp "$job" "$work/backup.sh"

names=("RFC 4231 case 1" "RFC 4231 case 2" "RFC 4231 case 3" "RFC 4231 case 4"
    "RFC 4231 case 6 (key longer than a block)" "RFC 4231 case 7 (key and data longer than a block)"
    "random 1" "random 2" "random 3" "random 4" "random 5")

check_shell() { # LABEL then digests on stdin
    local label=$1 i=0 got c
    while read -r got; do
        c=${cases[$i]:-none}
        is "$label: ${names[$i]}" "$got" "${c##* }"
        i=$((i + 1))
    done
    is "$label: every case answered" "$i" "${#cases[@]}"
}

sign_all() { # SH DIR: sign every case with SH running backup.sh from DIR
    local sh=$1 dir=$2 i
    for ((i = 0; i < ${#cases[@]}; i++)); do
        DEEPLENS_CONF=$dir/conf "$sh" "$dir/backup.sh" --sign "$dir/k$i" < "$dir/d$i" || echo "exit $?"
    done
}

if command -v dash > /dev/null; then
    check_shell dash < <(sign_all dash "$work")
else
    echo "ok $((t_n += 1)) - dash # SKIP no dash on this host"
fi

env_file=/run/deeplens-test/env
if [ -r "$env_file" ]; then
    # shellcheck source=/dev/null
    . "$env_file"
    runner=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
    # the files travel as a tar on stdin: the engine need not see this host's /tmp
    check_shell "busybox sh ($runner)" < <((cd "$work" && tar cf - conf backup.sh k* d*) |
        "${DL_TEST_DOCKER:-docker}" run --rm -i --entrypoint /bin/sh "$runner" -c '
            mkdir /t && cd /t && tar xf - && n=$(ls k* | wc -l) && i=0 &&
            while [ "$i" -lt "$n" ]; do
                DEEPLENS_CONF=/t/conf /bin/sh /t/backup.sh --sign "/t/k$i" < "/t/d$i" || echo "exit $?"
                i=$((i + 1))
            done')
else
    echo "ok $((t_n += 1)) - busybox sh # SKIP test bed not up"
fi
echo "1..$t_n"
[ "$t_failed" = 0 ]
