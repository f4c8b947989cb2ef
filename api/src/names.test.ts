// Tests for names.ts: DNS-1123/1035 names, port names and numbers, with Kubernetes' messages.
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  maxLenError,
  regexError,
  utf8Length,
} from './names';

const LABEL_REGEX_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_REGEX_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_REGEX_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('isDNS1123Label', () => {
  it.each(['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '0-1', '1-a', 'a'.repeat(63)])('accepts %p', (v) => {
    expect(isDNS1123Label(v)).toEqual([]);
  });

  it.each(['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', 'a@b', 'a,b', 'a b', ' a', 'a '])(
    'rejects %p with the regex message',
    (v) => {
      expect(isDNS1123Label(v)).toEqual([LABEL_REGEX_MSG]);
    },
  );

  it('says "must not contain dots" for a valid subdomain', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('example.com')).toEqual(['must not contain dots']);
  });

  it('reports the length and the pattern separately', () => {
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isDNS1123Label('A'.repeat(64))).toEqual(['must be no more than 63 characters', LABEL_REGEX_MSG]);
  });
});

describe('isDNS1123Subdomain', () => {
  it.each(['a', 'ab', 'a.b', 'a.b.c', 'a1.b2', '1.2.3.4', 'a-1.b-2', 'my-app.example.com', `${'a'.repeat(63)}.${'b'.repeat(63)}`])(
    'accepts %p',
    (v) => {
      expect(isDNS1123Subdomain(v)).toEqual([]);
    },
  );

  it.each(['', 'A', 'a.B', '.a', 'a.', 'a..b', '-a.b', 'a-.b', 'a.-b', 'a_b.c', 'a b', 'é'])('rejects %p', (v) => {
    expect(isDNS1123Subdomain(v)).toEqual([SUBDOMAIN_REGEX_MSG]);
  });

  it('allows 253 characters and not 254', () => {
    const long = `${'a.'.repeat(126)}a`; // 253
    expect(long).toHaveLength(253);
    expect(isDNS1123Subdomain(long)).toEqual([]);
    expect(isDNS1123Subdomain(`${long}b`)).toEqual(['must be no more than 253 characters']);
  });
});

describe('isDNS1035Label', () => {
  it.each(['a', 'ab', 'a1', 'a-1', 'my-service', 'a'.repeat(63)])('accepts %p', (v) => {
    expect(isDNS1035Label(v)).toEqual([]);
  });

  it.each(['', '0', '1a', '-a', 'a-', 'A', 'a.b', 'a_b'])('rejects %p', (v) => {
    expect(isDNS1035Label(v)).toEqual([DNS1035_REGEX_MSG]);
  });

  it('limits length to 63', () => {
    expect(isDNS1035Label('a'.repeat(64))).toEqual([maxLenError(63)]);
  });
});

describe('isValidPortName', () => {
  it.each(['http', 'https', 'a', 'h2c', 'metrics-1', 'a-b-c', '1a', 'a'.repeat(15)])('accepts %p', (v) => {
    expect(isValidPortName(v)).toEqual([]);
  });

  const cases: [string, string[]][] = [
    ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['1234', ['must contain at least one letter (a-z)']],
    ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['my_port', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-http', ['must not begin or end with a hyphen']],
    ['http-', ['must not begin or end with a hyphen']],
    ['a'.repeat(16), ['must be no more than 15 characters']],
    [
      '-Bad--Name_that-is-long-',
      [
        'must be no more than 15 characters',
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must not contain consecutive hyphens',
        'must not begin or end with a hyphen',
      ],
    ],
  ];
  it.each(cases)('rejects %p', (v, errs) => {
    expect(isValidPortName(v)).toEqual(errs);
  });
});

describe('isValidPortNum', () => {
  it('accepts 1 to 65535', () => {
    for (const p of [1, 80, 8080, 65535]) expect(isValidPortNum(p)).toEqual([]);
  });
  it('rejects anything else', () => {
    for (const p of [0, -1, 65536, 1.5, Number.NaN]) {
      expect(isValidPortNum(p)).toEqual(['must be between 1 and 65535, inclusive']);
    }
  });
});

describe('message helpers', () => {
  it('regexError lists examples the way Kubernetes does', () => {
    expect(regexError('bad', 'x+')).toBe("bad (regex used for validation is 'x+')");
    expect(regexError('bad', 'x+', 'x')).toBe("bad (e.g. 'x', regex used for validation is 'x+')");
    expect(regexError('bad', 'x+', 'x', 'xx', 'xxx')).toBe(
      "bad (e.g. 'x',  or 'xx',  or 'xxx', regex used for validation is 'x+')",
    );
  });

  it('utf8Length counts bytes as Go does', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3); // a lone surrogate encodes as U+FFFD
  });

  it('lengths are bytes: 32 two-byte characters exceed 63', () => {
    expect(isDNS1123Label('é'.repeat(32))).toEqual(['must be no more than 63 characters', LABEL_REGEX_MSG]);
  });
});
