// Unit tests for naming pod network commands by kind in the sandbox profile.
import { commandKind } from './profile';

describe('commandKind', () => {
  it('drops namespaces, JSON flags, names and addresses from ip commands', () => {
    expect(commandKind('ip', ['-n', 'keelson-abc', 'link', 'set', 'lo', 'up'])).toBe('ip link set');
    expect(commandKind('ip', ['netns', 'add', 'keelson-abc'])).toBe('ip netns add');
    expect(commandKind('/usr/sbin/ip', ['-j', 'route', 'show', 'default'])).toBe('ip route show');
  });

  it('names iptables commands by their operation, without the chain', () => {
    expect(commandKind('iptables', ['-w', '5', '-t', 'nat', '-S', 'KEELSON-HOSTPORTS'])).toBe('iptables -S');
    expect(commandKind('iptables', ['-t', 'nat', '-C', 'POSTROUTING', '-j', 'X'])).toBe('iptables -C');
  });
});
