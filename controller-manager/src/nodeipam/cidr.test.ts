// IPv4 CIDR math and the node CIDR set: parsing, containment, allocation order, occupy/release, exhaustion, bad configuration.
import { CidrError, CidrExhaustedError, CidrSet, contains, formatCidr, formatIPv4, parseCidr, parseIPv4 } from './cidr';

describe('IPv4 CIDR math', () => {
  it('parses and formats addresses, including the top of the range', () => {
    expect(parseIPv4('10.42.0.1')).toBe(0x0a2a0001);
    expect(formatIPv4(parseIPv4('255.255.255.255'))).toBe('255.255.255.255');
    expect(formatIPv4(0)).toBe('0.0.0.0');
    for (const bad of ['10.42.0', '10.42.0.256', '10.42.0.01', 'a.b.c.d', '10.42.0.1.2', '']) expect(() => parseIPv4(bad)).toThrow(CidrError);
  });

  it('parses CIDRs to their network and checks containment', () => {
    expect(formatCidr(parseCidr('10.42.7.9/16'))).toBe('10.42.0.0/16');
    expect(formatCidr(parseCidr('192.168.1.128/25'))).toBe('192.168.1.128/25');
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(contains(parseCidr('10.42.0.0/16'), parseCidr('10.42.255.0/24'))).toBe(true);
    expect(contains(parseCidr('10.42.0.0/16'), parseCidr('10.43.0.0/24'))).toBe(false);
    expect(contains(parseCidr('10.42.0.0/16'), parseCidr('10.0.0.0/8'))).toBe(false);
    expect(contains(parseCidr('128.0.0.0/1'), parseCidr('200.1.2.0/24'))).toBe(true);
    for (const bad of ['10.42.0.0', '10.42.0.0/33', '10.42.0.0/x', '10.42.0.0/16/1']) expect(() => parseCidr(bad)).toThrow(CidrError);
  });
});

describe('CidrSet', () => {
  it('hands out /24s of a /16 in order, each once', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    expect(s.size).toBe(256);
    expect([s.allocateNext(), s.allocateNext(), s.allocateNext()]).toEqual(['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
    expect(s.allocatedCount()).toBe(3);
  });

  it('skips occupied CIDRs and reuses a released one only after going round', () => {
    const s = new CidrSet('10.0.0.0/30', 31); // two /31s
    expect(s.occupy('10.0.0.0/31')).toBe(true);
    expect(s.occupy('10.0.0.0/31')).toBe(false);
    expect(s.allocateNext()).toBe('10.0.0.2/31');
    expect(() => s.allocateNext()).toThrow(CidrExhaustedError);
    s.release('10.0.0.0/31');
    expect(s.isAllocated('10.0.0.0/31')).toBe(false);
    expect(s.allocateNext()).toBe('10.0.0.0/31');

    const r = new CidrSet('10.42.0.0/16', 24);
    const a = r.allocateNext();
    r.allocateNext();
    r.release(a);
    expect(r.allocateNext()).toBe('10.42.2.0/24');
  });

  it('is exhausted after every node CIDR is taken, with Kubernetes\' message', () => {
    const s = new CidrSet('10.42.0.0/22', 24);
    for (let i = 0; i < 4; i++) s.allocateNext();
    expect(() => s.allocateNext()).toThrow('CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range 10.42.0.0/22');
  });

  it('refuses CIDRs that are not its node CIDRs, and bad mask sizes', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    expect(() => s.occupy('10.43.0.0/24')).toThrow(/outside the cluster CIDR/);
    expect(() => s.occupy('10.42.0.0/25')).toThrow(/node mask size/);
    expect(() => new CidrSet('10.42.0.0/16', 15)).toThrow(CidrError);
    expect(() => new CidrSet('10.42.0.0/8', 25)).toThrow(/too large/);
    expect(new CidrSet('10.0.0.0/8', 24).size).toBe(65_536);
  });
});
