// Unit tests for the Go text/tabwriter port: column blocks, padding, minimum widths and remembered widths.
import { describeOptions, TabWriter, tableOptions, tabulate } from './tabwriter';

describe('tabulate', () => {
  it('aligns a table with kubectl get settings (padding 3, minimum width 6), leaving the last cell unpadded', () => {
    expect(tabulate('NAME\tREADY\tAGE\nweb\t1/1\t5s\nlonger-name\t0/1\t10m\n', tableOptions)).toBe(
      ['NAME          READY   AGE', 'web           1/1     5s', 'longer-name   0/1     10m', ''].join('\n'),
    );
    expect(tabulate('A\tB\n', tableOptions)).toBe('A     B\n');
  });

  it('aligns each block of consecutive lines separately, as describe output shows', () => {
    const text = 'Name:\tweb\nNamespace:\tdefault\nContainers:\n  web:\n    Image:\tnginx\n    Environment:\t<none>\nQoS Class:\tBestEffort\n';
    expect(tabulate(text, describeOptions)).toBe(
      ['Name:       web', 'Namespace:  default', 'Containers:', '  web:', '    Image:        nginx', '    Environment:  <none>', 'QoS Class:        BestEffort', ''].join('\n'),
    );
  });

  it('pads an empty first cell so continuation lines line up (multi-line labels)', () => {
    expect(tabulate('Labels:\tapp=web\n\ttier=fe\nStatus:\tRunning\n', describeOptions)).toBe('Labels:  app=web\n         tier=fe\nStatus:  Running\n');
  });

  it('sizes nested columns within the block of the column before them', () => {
    expect(tabulate('a\tbb\tc\naaa\tb\tc\nx\n', describeOptions)).toBe('a    bb  c\naaa  b   c\nx\n');
  });
});

describe('TabWriter with remembered widths', () => {
  it('never narrows a column on later flushes, so watch rows line up with the header', () => {
    const w = new TabWriter({ ...tableOptions, rememberWidths: true });
    w.write('NAME\tSTATUS\tAGE\nlong-pod-name\tRunning\t1s\n');
    expect(w.flush()).toBe('NAME            STATUS    AGE\nlong-pod-name   Running   1s\n');
    w.write('p\tPending\t2s\n');
    expect(w.flush()).toBe('p               Pending   2s\n');
  });
});
