#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""yaml2fixture.py - turn the openspf RFC 7208 test suite (YAML, Latin-1)
into the line format tests/check_spfsuite.c reads.  It converts only: the
test driver's rules (SPF records served as TXT, TIMEOUT, CNAME) are in the
C test.  Every text is hex-encoded after an 'x' ("x" alone is empty), so a
line splits on spaces whatever the records hold.

  S x<description>                      a scenario starts
  Z x<name> TIMEOUT                     zone data, in file order
  Z x<name> TXT|SPF <n> x<s1> .. x<sn>  one record of n strings
  Z x<name> A|AAAA <address>
  Z x<name> MX <preference> x<name>
  Z x<name> PTR|CNAME x<name>
  T x<test> <host> x<mailfrom> x<helo> <result[,result..]> x<explanation>|-
usage: yaml2fixture.py IN.yml OUT
"""
import sys
import yaml


def hx(s):
    if isinstance(s, str):
        s = s.encode('latin-1')
    return 'x' + s.hex()


def main():
    src, dst = sys.argv[1], sys.argv[2]
    out = []
    with open(src, encoding='latin-1') as f:
        for doc in yaml.safe_load_all(f):
            out.append('S ' + hx(doc['description']))
            for name, rrs in doc['zonedata'].items():
                for rr in rrs:
                    if rr == 'TIMEOUT':
                        out.append('Z %s TIMEOUT' % hx(name))
                        continue
                    ((t, v),) = rr.items()
                    if t in ('TXT', 'SPF'):
                        parts = v if isinstance(v, list) else [v]
                        out.append('Z %s %s %d %s' % (hx(name), t, len(parts),
                                                      ' '.join(hx(p) for p in parts)))
                    elif t in ('A', 'AAAA'):
                        out.append('Z %s %s %s' % (hx(name), t, v))
                    elif t == 'MX':
                        out.append('Z %s MX %d %s' % (hx(name), v[0], hx(v[1])))
                    elif t in ('PTR', 'CNAME'):
                        out.append('Z %s %s %s' % (hx(name), t, hx(v)))
                    else:
                        sys.exit('yaml2fixture: unknown record type %s' % t)
            for tname, t in doc['tests'].items():
                res = t['result']
                res = ','.join(res) if isinstance(res, list) else res
                exp = hx(t['explanation']) if 'explanation' in t else '-'
                out.append('T %s %s %s %s %s %s' % (hx(tname), t['host'],
                                                    hx(t.get('mailfrom') or ''),
                                                    hx(t.get('helo') or ''), res, exp))
    with open(dst + '.tmp', 'w') as f:
        f.write('\n'.join(out) + '\n')
    import os
    os.replace(dst + '.tmp', dst)


if __name__ == '__main__':
    main()
