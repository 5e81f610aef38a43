#!/usr/bin/env python3
"""tests/lib/promcheck.py - a strict checker of the Prometheus text exposition
format (version 0.0.4), for the metrics suites (promtool is in Debian only with
the whole 96 MB prometheus package).

    promcheck.py [FILE]          check FILE (stdin when none); one line per problem
                                 "LINE: problem" on stdout, exit 1 when any
    promcheck.py --names [FILE]  after a clean check, print the metric family names

Checked: every line is "# HELP name text", "# TYPE name type" or a sample; no
empty line, no other comment; HELP and TYPE at most once per family, both before
its first sample, and a family's samples contiguous; names and label names
valid (no reserved "__" labels), label values quoted with only \\\\, \\" and \\n
escapes and valid UTF-8, no label twice in a sample; the value a float (NaN,
+Inf, -Inf allowed) and non-negative for a counter; an optional integer
timestamp; no series (name + label set) twice; the text ends with a newline.
"""
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def family(name, types):
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def parse_value(text):
    if text in ('NaN', '+Inf', '-Inf', 'Inf'):
        return float(text.replace('Inf', 'inf'))
    if not re.fullmatch(r'[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?', text):
        raise ValueError(text)
    return float(text)


def parse_labels(s, i, problems, n):
    """s[i] is '{'; returns (labels dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if i < len(s) and s[i] == '}':
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise ValueError('bad label name at column %d' % (i + 1))
        key = m.group(0)
        if key.startswith('__'):
            problems.append('%d: reserved label name %s' % (n, key))
        i = m.end()
        if s[i:i + 2] != '="':
            raise ValueError('label %s: want ="' % key)
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise ValueError('label %s: unterminated value' % key)
            c = s[i]
            if c == '\\':
                nxt = s[i + 1:i + 2]
                if nxt not in ('\\', '"', 'n'):
                    raise ValueError('label %s: bad escape \\%s' % (key, nxt))
                val.append({'\\': '\\', '"': '"', 'n': '\n'}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                raise ValueError('label %s: raw newline' % key)
            else:
                val.append(c)
                i += 1
        if key in labels:
            problems.append('%d: label %s twice' % (n, key))
        labels[key] = ''.join(val)
        if i < len(s) and s[i] == ',':
            i += 1
        elif i < len(s) and s[i] == '}':
            continue
        else:
            raise ValueError('after label %s: want , or }' % key)


def check(data):
    problems, helps, types, seen_sample, series = [], {}, {}, set(), set()
    order, current = [], None
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        return ['0: not UTF-8: %s' % e], []
    if text and not text.endswith('\n'):
        problems.append('0: no newline at the end')
    for n, line in enumerate(text.split('\n')[:-1] if text.endswith('\n') else text.split('\n'), 1):
        if line == '':
            problems.append('%d: empty line' % n)
            continue
        if line.startswith('#'):
            m = re.fullmatch(r'# (HELP|TYPE) ([^ ]+)(?: (.*))?', line)
            if not m:
                problems.append('%d: comment that is neither HELP nor TYPE: %r' % (n, line))
                continue
            kind, name, rest = m.group(1), m.group(2), m.group(3) or ''
            if not NAME.fullmatch(name):
                problems.append('%d: bad metric name %r' % (n, name))
            if name in seen_sample:
                problems.append('%d: %s for %s after its samples' % (n, kind, name))
            table = helps if kind == 'HELP' else types
            if name in table:
                problems.append('%d: second %s for %s' % (n, kind, name))
            if kind == 'HELP':
                if re.search(r'\\[^\\n]|\\$', rest):
                    problems.append('%d: bad escape in HELP of %s' % (n, name))
                helps[name] = rest
            else:
                if rest not in TYPES:
                    problems.append('%d: bad TYPE %r for %s' % (n, rest, name))
                types[name] = rest
            continue
        m = NAME.match(line)
        if not m:
            problems.append('%d: not a sample: %r' % (n, line))
            continue
        name, i, labels = m.group(0), m.end(), {}
        try:
            if i < len(line) and line[i] == '{':
                labels, i = parse_labels(line, i, problems, n)
            parts = line[i:].split(' ')
            if parts[0] != '' or len(parts) not in (2, 3):
                raise ValueError('want "name{labels} value [timestamp]"')
            value = parse_value(parts[1])
            if len(parts) == 3 and not re.fullmatch(r'-?[0-9]+', parts[2]):
                raise ValueError('bad timestamp %r' % parts[2])
        except ValueError as e:
            problems.append('%d: %s: %r' % (n, e, line))
            continue
        fam = family(name, types)
        if fam not in helps or fam not in types:
            problems.append('%d: %s has no HELP and TYPE before it' % (n, name))
        if fam != current:
            if fam in order:
                problems.append('%d: samples of %s not together' % (n, fam))
            else:
                order.append(fam)
            current = fam
        if types.get(fam) == 'counter' and not value >= 0:
            problems.append('%d: counter %s is %s' % (n, name, parts[1]))
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            problems.append('%d: series twice: %s' % (n, line))
        series.add(key)
        seen_sample.add(fam)
    for name in types:
        if name not in helps:
            problems.append('0: %s has TYPE but no HELP' % name)
    return problems, sorted(set(helps) | set(types))


def main(argv):
    names = '--names' in argv
    args = [a for a in argv if a != '--names']
    data = open(args[0], 'rb').read() if args else sys.stdin.buffer.read()
    problems, families = check(data)
    for p in problems:
        print(p)
    if problems:
        return 1
    if names:
        print('\n'.join(families))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
