#!/usr/bin/env python3
"""tests/fuzz/make-seeds.py - (re)write the seed corpus of every fuzz target
in tests/fuzz/corpus/<target>/seed-* from the unit tests' recordings
(tests/unit/docker/data), the shipped themes and hand-written examples.
Crashers found by fuzzing are kept beside them as crash-* and are never
touched here. Run from anywhere; writes only seed-* files."""
import base64, glob, io, os, struct, tarfile

repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(repo, "tests/unit/docker/data")
corpus = os.path.join(repo, "tests/fuzz/corpus")


def rd(name):
    with open(os.path.join(data, name), "rb") as f:
        return f.read()


def put(target, seeds):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for old in glob.glob(os.path.join(d, "seed-*")):
        os.remove(old)
    for i, s in enumerate(seeds):
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(s)


def frame(stream, payload):
    return struct.pack(">BxxxI", stream, len(payload)) + payload


# --- log frame demultiplexer: [cap selector][chunk selector] frames
log = (b"ts=2026-11-25T02:00:01Z event=backup result=ok file=x.sql.gz\n"
       b"pg_dump: error: \x1b]0;owned\x07 table\n")
put("fuzz_demux", [
    b"\x00\x07" + frame(1, log) + frame(2, b"warning\n") + frame(1, b"no newline"),
    b"\x40\x01" + frame(1, b"a" * 300 + b"\n") + frame(2, b""),
    b"\x03\x3f" + frame(1, b"x\n")[:5],
    b"\x00\x00" + b"\x05\x00\x00\x00\x00\x00\x00\x01z",  # out of sync
])

# --- engine JSON: [kind] body
events = rd("events.jsonl").splitlines()
stat = base64.b64encode(b'{"name":"backups","size":4096,"mode":2147484141,'
                        b'"mtime":"2026-11-25T22:19:12.5Z","linkTarget":""}')
put("fuzz_engine_json", [
    b"\x00" + rd("list.json"),
    b"\x01" + rd("inspect.json"),
    b"\x01" + rd("inspect-exited.json"),
    b"\x02" + rd("volume.json"),
    b"\x03" + rd("network.json"),
    b"\x04" + b'{"ID":"0123","Running":false,"ExitCode":3,"Pid":0}',
    b"\x04" + b'{"Running":true,"ExitCode":null}',
    b"\x05" + events[0],
    b"\x05" + events[-1],
    b"\x06" + rd("version.json"),
    b"\x07" + stat,
    b"\x08\x02" + b'{"message":"No such container: deeplens-backup-acme"}',
    b"\x08\x03" + b'{"message":"Conflict. The container name \\"/x\\" is already in use"}',
    b"\x08\x04" + b'<html>bad gateway</html>',
    b"\x09" + b"2026-11-25T21:04:01.931440927Z",
    b"\x09" + b"2026-11-25T21:04:01+01:00",
    b"\x09" + b"Up 2 hours (health: starting)",
])

# --- cron: [describe buffer size] schedule
put("fuzz_cron", [b"\x7f" + s for s in [
    b"0 2 * * *", b"*/15 * * * *", b"0 3 * * 0", b"0 0 1 * *", b"@weekly", b"@yearly",
    b"0 0 29 2 *", b"30 2 1-7 * mon", b"0 9-17/2 * jan-mar,dec sun-sat", b"5 4 * * 7",
    b"0 0 30 2 *", b"61 2 * * *", b"0 2 * *"]] + [b"\x05" + b"0 2,14 * * *"])

# --- validators: [which] text; 16 = labels, "key=value" lines
labels = (b"io.deeplens.backup.managed=1\nio.deeplens.backup.version=1\n"
          b"io.deeplens.backup.tenant=acme\nio.deeplens.backup.tenant_id=t-1\n"
          b"io.deeplens.backup.nfs_path=nfs-server:/exports/acme\n"
          b"io.deeplens.backup.nfs_options=rw,sync,hard,intr\n"
          b"io.deeplens.backup.schedule=0 2 * * *\nio.deeplens.backup.retention_days=30\n"
          b"io.deeplens.backup.keep_min=3\nio.deeplens.backup.compression=1\n"
          b"io.deeplens.backup.image=postgres:16-alpine\nio.deeplens.backup.uid_gid=999:999\n"
          b"io.deeplens.backup.database=\nio.deeplens.backup.pg_host=deeplens-postgres\n"
          b"io.deeplens.backup.pg_port=5432\nio.deeplens.backup.pg_user=deeplens\n"
          b"io.deeplens.backup.network=deeplens-network\nio.deeplens.backup.prefix=deeplens-backup-\n")
put("fuzz_validate", [bytes([k]) + v for k, v in [
    (0, b"acme"), (0, b"Acme;id"), (1, b"tenant:42.x"), (2, b"nfs-server:/exports/acme"),
    (2, b"[fd00::1]:/exports/a"), (2, b"local:/srv/backups"), (2, b"10.0.0.1:/x/../y"),
    (3, b"rw,sync,hard,intr,vers=4.1,timeo=600"), (3, b"rw,addr=1.2.3.4"), (4, b"0 */6 * * *"),
    (4, b"0 2 * * *\n* * * * * x"), (5, b"30"), (5, b"3651"), (6, b"999:999"), (6, b"0:0"),
    (6, b"3000000:1"), (7, b"registry.example.com:5000/team/postgres:16-alpine"),
    (7, b"postgres@sha256:" + b"ab" * 32), (8, b"tenant_acme_metadata"), (9, b"deeplens-postgres"),
    (9, b"fe80::1"), (9, b"010.1.1.1"), (10, b"deeplens"), (11, b"deeplens-network"),
    (12, b"deeplens-backup-"), (13, b"5432"), (14, b"a\x1b[2Jb\xc2\x9b\n\t"), (15, b"0:0"),
    (16, labels), (16, labels.replace(b"999:999", b"0:0")),
    (16, labels.replace(b"acme", b"ac\x1bme"))]])

# --- logfmt: [key | buffer size << 3] line
line = (b'ts=2026-11-25T02:00:01Z event=backup tenant=acme result=FAILED '
        b'reason="pg_dump: \\"x\\" failed" deleted=3 db_size=8053251 total_kb=1000 '
        b'used_kb=10 free_kb=990')
put("fuzz_logfmt", [bytes([k | (s << 3)]) + line for k in range(8) for s in (0, 31)] +
    [b"\x00reason=\"unterminated \\", b"\x08reason=" + b"r" * 300])

# --- status file
status = (b"tenant=vayyari\ndatabase=tenant_vayyari_metadata\nlast_run_start=1764036001\n"
          b"last_run_end=1764036003\nlast_result=ok\nlast_reason=\n"
          b"last_file=tenant_vayyari_metadata_20251125_020001.sql.gz\nlast_size=48213\n"
          b"last_duration=2\nlast_success=1764036003\n"
          b"last_success_file=tenant_vayyari_metadata_20251125_020001.sql.gz\n"
          b"last_success_size=48213\nlast_success_duration=2.5\ndb_size_bytes=8053251\n"
          b"disk_total_kb=1000000\ndisk_free_kb=250000\nfile_count=2\ntotal_bytes=96000\n"
          b"file=tenant_vayyari_metadata_20251125_020001.sql.gz 48213 1764036003 sha256\n"
          b"file=tenant_vayyari_metadata_20251124_020001.sql.gz 47787 1763949603 none\n"
          b"garbage line without equals\n")
put("fuzz_status_file", [status,
                         b"last_result=FAILED\nlast_reason=" + b"\x1b]0;x\x07" * 200 + b"\n",
                         b"file=" + b"f" * 2000 + b" 1 2 none\n"])


# --- tar: what the engine sends for GET /archive (ustar, GNU, pax)
def tar(fmt, members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for name, body, kind in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "link":
                ti.type = tarfile.SYMTYPE
                ti.linkname = body.decode()
                t.addfile(ti)
            else:
                ti.size = len(body)
                ti.uid = ti.gid = kind if isinstance(kind, int) else 999
                t.addfile(ti, io.BytesIO(body))
    return b.getvalue()


long = "backups/" + "d" * 120 + "/tenant_acme_metadata_20251125_020001.sql.gz"
put("fuzz_tar", [
    tar(tarfile.USTAR_FORMAT, [("backups", b"", "dir"), ("backups/status", status, 0),
                               ("backups/latest", b"status", "link")]),
    tar(tarfile.GNU_FORMAT, [(long, b"x" * 700, 0), ("big-uid", b"y", 3000000)]),
    tar(tarfile.PAX_FORMAT, [(long, b"z" * 10, 0), ("caf\u00e9", b"", 0)]),
])

# --- config
put("fuzz_config", [
    b"# site\npostgres_host = db.internal\npostgres_port=6543\n  postgres_user =  backup  \n"
    b"postgres_password_file = /run/secrets/pg\nnetwork = infra-net\n"
    b"image = \"postgres:15-alpine\"\nuid_gid = 70:70\nprefix = pgb-\n"
    b"nfs_options = rw,sync,nolock\nschedule = '0 */6 * * *'\nretention = 60\r\n"
    b"keep_min = 5\ntheme = light\nbind F5 refresh\nbind\t^R   restart\n",
    b"uid_gid = 0:0\n", b"schedule = 61 2 * * *\n", b"just words\n", b"bind F5\n",
    b"retention = \x1b[2J\n",
])

# --- themes: the shipped ones and a few errors
themes = []
for path in sorted(glob.glob(os.path.join(repo, "themes/*.theme"))):
    with open(path, "rb") as f:
        themes.append(f.read())
put("fuzz_theme", themes + [b"color normal 300 black\n", b"colour x y z\n",
                            b"color selected bright-white 17 bold reverse dim underline\n"])

# --- inert filters: [filter row | short buffer] text
hostile = [
    b"plain ascii line\twith tab\n",
    b"\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m",
    b"csi \xc2\x9b31m osc \xc2\x9d0;x\xc2\x9c st raw \x9b \x9d",
    b"bidi \xe2\x80\xaeevil\xe2\x80\xac zw \xe2\x80\x8b iso \xe2\x81\xa6x\xe2\x81\xa9",
    b"bad utf8 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82",
    b"caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 del \x7f nul \x00 end",
]
put("fuzz_inert", [bytes([row]) + h for row in range(3) for h in hostile] +
    [bytes([0x80 | 4]) + hostile[3], bytes([0x80 | 5 | 0x40]) + hostile[5]])
