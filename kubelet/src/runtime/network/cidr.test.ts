// Unit tests for the IPv4 CIDR arithmetic.
import { CidrParseError, Ipv4Cidr, formatIPv4, parseIPv4 } from './cidr';

describe('IPv4 parsing', () => {
  it('round-trips addresses including the extremes', () => {
    for (const s of ['0.0.0.0', '10.42.0.1', '192.168.255.254', '255.255.255.255']) {
      expect(formatIPv4(parseIPv4(s))).toBe(s);
    }
    expect(parseIPv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
  });

  it('rejects malformed addresses with a typed error', () => {
    for (const s of ['10.0.0', '10.0.0.256', '10.0.0.01', '10.0.0.a', '', '1.2.3.4.5', '-1.0.0.0']) {
      expect(() => parseIPv4(s)).toThrow(CidrParseError);
    }
  });
});

describe('Ipv4Cidr', () => {
  it('computes network, broadcast, size and host range of a /24', () => {
    const c = Ipv4Cidr.parse('10.42.3.0/24');
    expect(c.toString()).toBe('10.42.3.0/24');
    expect(c.size).toBe(256);
    expect(formatIPv4(c.broadcast)).toBe('10.42.3.255');
    expect(c.hostRange).toEqual({ first: 1, last: 254 });
    expect(c.nth(1)).toBe('10.42.3.1');
    expect(c.offsetOf('10.42.3.200')).toBe(200);
  });

  it('handles /0, /16, /31 and /32', () => {
    expect(Ipv4Cidr.parse('0.0.0.0/0').contains('203.0.113.9')).toBe(true);
    const b = Ipv4Cidr.parse('10.42.0.0/16');
    expect(b.contains('10.42.255.255')).toBe(true);
    expect(b.contains('10.43.0.0')).toBe(false);
    expect(Ipv4Cidr.parse('10.0.0.0/31').hostRange).toEqual({ first: 0, last: 1 });
    expect(Ipv4Cidr.parse('10.0.0.7/32').size).toBe(1);
  });

  it('rejects host bits unless asked to mask them', () => {
    expect(() => Ipv4Cidr.parse('10.42.0.1/24')).toThrow(/host bits set/);
    expect(Ipv4Cidr.parse('10.42.0.1/24', true).toString()).toBe('10.42.0.0/24');
    expect(() => Ipv4Cidr.parse('10.42.0.0/33')).toThrow(CidrParseError);
    expect(() => Ipv4Cidr.parse('10.42.0.0')).toThrow(/missing/);
  });

  it('detects overlap in both directions', () => {
    const big = Ipv4Cidr.parse('10.42.0.0/16');
    expect(big.overlaps(Ipv4Cidr.parse('10.42.7.0/24'))).toBe(true);
    expect(Ipv4Cidr.parse('10.42.7.0/24').overlaps(big)).toBe(true);
    expect(big.overlaps(Ipv4Cidr.parse('10.43.0.0/24'))).toBe(false);
  });

  it('refuses offsets outside the block', () => {
    const c = Ipv4Cidr.parse('10.1.2.0/30');
    expect(c.nth(3)).toBe('10.1.2.3');
    expect(() => c.nth(4)).toThrow(RangeError);
    expect(() => c.offsetOf('10.1.2.4')).toThrow(RangeError);
  });
});
