// NodePorts filter: host ports in use reject, wildcard IPs conflicting with every IP.
import { makeNode, makePod, snapshotOf, filterReasons } from '../testing';
import { nodePorts } from './node-ports';

describe('NodePorts', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')], [makePod('web', { node: 'a', hostPort: 8080 })]);
  it('rejects a node where the host port is taken', () => {
    const p = makePod('p', { hostPort: 8080 });
    expect(filterReasons(nodePorts(), p, snap, 'a')).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    expect(filterReasons(nodePorts(), p, snap, 'b')).toEqual([]);
  });
  it('treats a specific IP as conflicting with the wildcard, and other protocols as free', () => {
    const ip = makePod('p', { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 1, hostPort: 8080, hostIP: '10.0.0.1' }] }] } });
    expect(filterReasons(nodePorts(), ip, snap, 'a')).toHaveLength(1);
    const udp = makePod('p', { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 1, hostPort: 8080, protocol: 'UDP' }] }] } });
    expect(filterReasons(nodePorts(), udp, snap, 'a')).toEqual([]);
  });
  it('skips pods without host ports', () => {
    expect(filterReasons(nodePorts(), makePod('p'), snap, 'a')).toBe('skip');
  });
});
