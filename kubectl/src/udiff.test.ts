// Unit tests for unified diffs: hunk headers, context, merged hunks, additions to an empty file.
import { unifiedDiff } from './udiff';

const lines = (n: number, change?: { at: number; to: string }): string =>
  Array.from({ length: n }, (_, i) => (change && i + 1 === change.at ? change.to : `line ${i + 1}`)).join('\n') + '\n';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('shows a change with three lines of context on each side', () => {
    expect(unifiedDiff(lines(10), lines(10, { at: 5, to: 'five' }))).toBe('@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+five\n line 6\n line 7\n line 8\n');
  });

  it('joins changes whose context overlaps and splits distant ones', () => {
    const b = lines(20).replace('line 3\n', 'three\n').replace('line 8\n', 'eight\n').replace('line 19\n', 'nineteen\n');
    expect(unifiedDiff(lines(20), b)).toBe(
      '@@ -1,11 +1,11 @@\n line 1\n line 2\n-line 3\n+three\n line 4\n line 5\n line 6\n line 7\n-line 8\n+eight\n line 9\n line 10\n line 11\n' +
        '@@ -16,5 +16,5 @@\n line 16\n line 17\n line 18\n-line 19\n+nineteen\n line 20\n',
    );
  });

  it('diffs against an empty file as GNU diff -N does', () => {
    expect(unifiedDiff('', 'a\nb\n')).toBe('@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\n', '')).toBe('@@ -1 +0,0 @@\n-a\n');
  });

  it('handles insertions and deletions in the middle', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nc\nd\n')).toBe('@@ -1,3 +1,3 @@\n a\n-b\n c\n+d\n');
  });
});
