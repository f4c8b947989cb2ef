// PersistentVolume binder handlers and resync: which volume and claim keys they enqueue; they never call the API.
import type { WorkQueue } from '@keelson/client';
import { pv, pvc, volumeFixture } from '../fixture';

async function keys(q: WorkQueue<string>): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const k = await q.get();
    if (k === undefined) break;
    out.push(k);
    q.done(k);
  }
  return out.sort();
}

describe('PersistentVolumeBinder handlers', () => {
  it('a volume naming a claim enqueues both', async () => {
    const { binder, api } = volumeFixture();
    binder.onVolume(pv('v', '1Gi', { phase: 'Bound', claimRef: { namespace: 'shop', name: 'data', uid: 'u' } }));
    expect(await keys(binder.volumeQueue)).toEqual(['v']);
    expect(await keys(binder.claimQueue)).toEqual(['shop/data']);
    expect(api.actions).toEqual([]);
  });

  it('a free Available volume wakes every claim not yet bound, and only those', async () => {
    const { binder, claims } = volumeFixture();
    claims(pvc('waiting', '1Gi'), pvc('done', '1Gi', { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' }, volumeName: 'x', phase: 'Bound' }));
    binder.onVolume(pv('new', '1Gi', { phase: 'Available' }));
    expect(await keys(binder.claimQueue)).toEqual(['default/waiting']);
    binder.onVolume(pv('fresh', '1Gi', { phase: 'Pending' }));
    expect(await keys(binder.claimQueue)).toEqual([]);
  });

  it('a deleted claim enqueues its volume (to be released); a deleted volume its claim (to be lost)', async () => {
    const { binder } = volumeFixture();
    binder.onClaimDelete(pvc('data', '1Gi', { volumeName: 'v' }));
    binder.onVolumeDelete(pv('w', '1Gi', { claimRef: { namespace: 'default', name: 'other', uid: 'u' } }));
    expect(await keys(binder.volumeQueue)).toEqual(['v']);
    expect(await keys(binder.claimQueue)).toEqual(['default/other']);
  });

  it('resyncs every volume and claim each period', async () => {
    const { binder, api, volumes, claims } = volumeFixture();
    volumes(pv('v', '1Gi'));
    claims(pvc('data', '1Gi'));
    const stop = new AbortController();
    const running = binder.run(stop.signal);
    expect(binder.volumeQueue.len()).toBe(0);
    await api.clock.advanceAsync(15_000);
    expect(await keys(binder.volumeQueue)).toEqual(['v']);
    expect(await keys(binder.claimQueue)).toEqual(['default/data']);
    await api.clock.advanceAsync(15_000);
    expect(await keys(binder.volumeQueue)).toEqual(['v']);
    stop.abort();
    await running;
  });
});
