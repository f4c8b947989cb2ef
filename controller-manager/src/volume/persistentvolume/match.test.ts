// Which volume a claim gets: smallest fit, class, selector, access modes, volume mode, phase, pre-binding, delayed binding.
import { pv, pvc } from '../fixture';
import { findBestMatch } from './match';

const names = (v: { metadata?: { name?: string } } | undefined): string | undefined => v?.metadata?.name;

describe('findBestMatch', () => {
  it('takes the smallest Available volume at least as big as the request', () => {
    const volumes = [pv('ten', '10Gi'), pv('one', '1Gi'), pv('five', '5Gi'), pv('three-ish', '3000Mi')];
    expect(names(findBestMatch(pvc('c', '3Gi'), volumes, false))).toBe('five');
    expect(names(findBestMatch(pvc('c', '2Gi'), volumes, false))).toBe('three-ish');
    expect(names(findBestMatch(pvc('c', '1Gi'), volumes, false))).toBe('one');
    expect(findBestMatch(pvc('c', '11Gi'), volumes, false)).toBeUndefined();
  });

  it('compares quantities across units', () => {
    expect(names(findBestMatch(pvc('c', '1G'), [pv('mebi', '900Mi'), pv('gibi', '1Gi')], false))).toBe('gibi');
  });

  it('matches the storage class exactly: an empty class only matches volumes without one', () => {
    const volumes = [pv('fast', '1Gi', { className: 'fast' }), pv('plain', '2Gi')];
    expect(names(findBestMatch(pvc('c', '1Gi', { className: 'fast' }), volumes, false))).toBe('fast');
    expect(names(findBestMatch(pvc('c', '1Gi', { className: '' }), volumes, false))).toBe('plain');
    expect(names(findBestMatch(pvc('c', '1Gi'), volumes, false))).toBe('plain');
    expect(findBestMatch(pvc('c', '1Gi', { className: 'slow' }), volumes, false)).toBeUndefined();
  });

  it('honours the claim label selector', () => {
    const volumes = [pv('small', '1Gi', { labels: { tier: 'cold' } }), pv('big', '5Gi', { labels: { tier: 'hot' } })];
    expect(names(findBestMatch(pvc('c', '1Gi', { selector: { matchLabels: { tier: 'hot' } } }), volumes, false))).toBe('big');
    expect(findBestMatch(pvc('c', '1Gi', { selector: { matchLabels: { tier: 'warm' } } }), volumes, false)).toBeUndefined();
  });

  it('needs every access mode the claim asks for, and prefers volumes with fewer extra modes over smaller ones', () => {
    const volumes = [pv('rwo-rox-small', '1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pv('rwo-big', '8Gi', { modes: ['ReadWriteOnce'] }), pv('rwx', '1Gi', { modes: ['ReadWriteMany'] })];
    expect(names(findBestMatch(pvc('c', '1Gi', { modes: ['ReadWriteOnce'] }), volumes, false))).toBe('rwo-big');
    expect(names(findBestMatch(pvc('c', '1Gi', { modes: ['ReadOnlyMany'] }), volumes, false))).toBe('rwo-rox-small');
    expect(names(findBestMatch(pvc('c', '1Gi', { modes: ['ReadWriteMany'] }), volumes, false))).toBe('rwx');
    expect(findBestMatch(pvc('c', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }), volumes, false)).toBeUndefined();
  });

  it('never mixes Filesystem and Block', () => {
    const volumes = [pv('block', '1Gi', { volumeMode: 'Block' }), pv('fs', '2Gi')];
    expect(names(findBestMatch(pvc('c', '1Gi', { volumeMode: 'Block' }), volumes, false))).toBe('block');
    expect(names(findBestMatch(pvc('c', '1Gi'), volumes, false))).toBe('fs');
  });

  it('skips volumes that are not Available, are claimed, or are being deleted', () => {
    const gone = pv('deleting', '1Gi');
    gone.metadata = { ...gone.metadata, deletionTimestamp: '2024-05-01T00:00:00Z' };
    const volumes = [pv('released', '1Gi', { phase: 'Released' }), pv('pending', '1Gi', { phase: 'Pending' }), pv('taken', '1Gi', { claimRef: { namespace: 'default', name: 'other', uid: 'u' } }), gone, pv('ok', '9Gi')];
    expect(names(findBestMatch(pvc('c', '1Gi'), volumes, false))).toBe('ok');
  });

  it('returns a volume pre-bound to the claim before any better fit, with or without its uid', () => {
    const volumes = [pv('fit', '1Gi'), pv('mine', '50Gi', { phase: 'Bound', claimRef: { namespace: 'default', name: 'c' } })];
    expect(names(findBestMatch(pvc('c', '1Gi'), volumes, false))).toBe('mine');
    const other = [pv('fit', '1Gi'), pv('stale', '50Gi', { claimRef: { namespace: 'default', name: 'c', uid: 'an-older-claim' } })];
    expect(names(findBestMatch(pvc('c', '1Gi'), other, false))).toBe('fit');
  });

  it('with delayed binding takes only a pre-bound volume: the scheduler picks the rest', () => {
    expect(findBestMatch(pvc('c', '1Gi'), [pv('fit', '1Gi')], true)).toBeUndefined();
    expect(names(findBestMatch(pvc('c', '1Gi'), [pv('fit', '1Gi'), pv('mine', '1Gi', { claimRef: { namespace: 'default', name: 'c', uid: 'uid-c' } })], true))).toBe('mine');
  });
});
