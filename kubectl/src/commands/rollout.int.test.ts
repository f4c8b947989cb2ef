// keelctl rollout against a real API server: history, undo, restart, pause/resume and status, over the objects controllers keep.
import { FakeClock } from '@keelson/client';
import { testBackends } from '@keelson/apiserver';
import type { ControllerRevision, Deployment, DeploymentStatus, PodTemplateSpec, StatefulSet } from '@keelson/api';
import { keelctl } from '../testing';
import { daemonSet, deployment, replicaSet, statefulSet, template } from '../ops/fixtures';
import { startCluster, startKeelctl, type TestCluster } from '../ops/testing';

describe.each(testBackends())('keelctl rollout on $name', ({ uri }) => {
  let k: TestCluster;
  const deployments = () => k.client.resource('apps/v1', 'Deployment').namespace(k.namespace);
  const statefulSets = () => k.client.resource('apps/v1', 'StatefulSet').namespace(k.namespace);
  const run = (...args: string[]) => keelctl(k.kubeconfig, ['rollout', ...args]);

  /** A Deployment at revision 3 with the three ReplicaSets the controller would have left. */
  async function deploymentWithHistory(name: string): Promise<Deployment> {
    const d = deployment(name, 3, 'nginx:1.27');
    d.metadata = { name, annotations: { 'deployment.kubernetes.io/revision': '3' } };
    const created = await deployments().create(d);
    const rs = k.client.resource('apps/v1', 'ReplicaSet').namespace(k.namespace);
    await rs.create(replicaSet(created, 'aaa111', 1, 'nginx:1.25', 'initial deploy'));
    await rs.create(replicaSet(created, 'bbb222', 2, 'nginx:1.26'));
    await rs.create(replicaSet(created, 'ccc333', 3, 'nginx:1.27', 'keelctl set image deployment/web app=nginx:1.27'));
    return created;
  }

  /** Writes status the way the Deployment controller would, for the current generation. */
  async function setStatus(name: string, status: DeploymentStatus): Promise<void> {
    const d = await deployments().get(name);
    await deployments().updateStatus({ ...d, status: { observedGeneration: d.metadata?.generation, ...status } });
  }

  beforeAll(async () => {
    k = await startCluster(uri(), 'rollout');
    await deploymentWithHistory('web');
    // Another Deployment's ReplicaSet matching the same labels must not count.
    const other = await deployments().create({ ...deployment('web-other', 1), spec: { ...deployment('web-other', 1).spec!, selector: { matchLabels: { app: 'web' } }, template: template('web') } });
    await k.client.resource('apps/v1', 'ReplicaSet').namespace(k.namespace).create(replicaSet(other, 'zzz999', 7, 'nginx:0.1'));
  });
  afterAll(async () => {
    await k?.stop();
  });

  describe('history', () => {
    it('lists the revisions of a Deployment from its ReplicaSets', async () => {
      expect(await run('history', 'deployment/web')).toEqual({
        code: 0,
        err: '',
        out: 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         initial deploy\n2         <none>\n3         keelctl set image deployment/web app=nginx:1.27\n\n',
      });
    });

    it("shows one revision's pod template, as kubectl describes it", async () => {
      expect(await run('history', 'deploy', 'web', '--revision=1')).toEqual({
        code: 0,
        err: '',
        out: [
          'deployment.apps/web with revision #1',
          'Pod Template:',
          '  Labels:\tapp=web',
          '\tpod-template-hash=aaa111',
          '  Annotations:\tkubernetes.io/change-cause: initial deploy',
          '  Containers:',
          '   app:',
          '    Image:\tnginx:1.25',
          '    Port:\t80/TCP',
          '    Host Port:\t0/TCP',
          '    Environment:\t<none>',
          '    Mounts:\t<none>',
          '  Volumes:\t<none>',
          '  Node-Selectors:\t<none>',
          '  Tolerations:\t<none>',
          '',
          '',
        ].join('\n'),
      });
    });

    it('fails for a revision that does not exist, and for kinds without history', async () => {
      expect(await run('history', 'deployment/web', '--revision=9')).toEqual({ code: 1, out: '', err: 'error: unable to find the specified revision\n' });
      expect(await run('history', 'replicaset/web-aaa111')).toEqual({ code: 1, out: '', err: 'error: no history viewer has been implemented for "ReplicaSet.apps"\n' });
      expect(await run('history', 'deployment/nope')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
      expect(await run('history')).toEqual({ code: 1, out: '', err: 'error: required resource not specified\n' });
    });

    it('says so when there is no history', async () => {
      await deployments().create(deployment('fresh', 1));
      expect(await run('history', 'deployment/fresh')).toEqual({ code: 0, err: '', out: 'deployment.apps/fresh \nNo rollout history found.\n' });
    });
  });

  describe('undo', () => {
    it('copies the previous ReplicaSet template, without its hash label, into the Deployment', async () => {
      await deploymentWithHistory('undo1');
      expect(await run('undo', 'deployment/undo1')).toEqual({ code: 0, out: 'deployment.apps/undo1 rolled back\n', err: '' });
      const d = await deployments().get('undo1');
      expect(d.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.26');
      expect(d.spec?.template.metadata?.labels).toEqual({ app: 'undo1' });
      // The Deployment keeps its own revision annotation; the controller will bump it.
      expect(d.metadata?.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3' });
    });

    it('rolls back to --to-revision, taking that ReplicaSet’s change-cause', async () => {
      await deploymentWithHistory('undo2');
      expect(await run('undo', 'deployment/undo2', '--to-revision=1')).toEqual({ code: 0, out: 'deployment.apps/undo2 rolled back\n', err: '' });
      const d = await deployments().get('undo2');
      expect(d.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.25');
      expect(d.metadata?.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3', 'kubernetes.io/change-cause': 'initial deploy' });
      expect(await run('undo', 'deployment/undo2', '--to-revision=1')).toEqual({
        code: 0,
        out: 'deployment.apps/undo2 skipped rollback (current template already matches revision 1)\n',
        err: '',
      });
    });

    it("fails with kubectl's messages", async () => {
      expect(await run('undo', 'deployment/web', '--to-revision=7')).toEqual({ code: 1, out: '', err: 'error: unable to find specified revision 7 in history\n' });
      expect(await run('undo', 'deployment/fresh')).toEqual({ code: 1, out: '', err: 'error: no rollout history found for deployment "fresh"\n' });
      expect(await run('undo', 'rs/web-aaa111')).toEqual({ code: 1, out: '', err: 'error: no rollbacker has been implemented for "ReplicaSet.apps"\n' });
      await deploymentWithHistory('paused');
      await deployments().patch('paused', 'merge', { spec: { paused: true } });
      expect(await run('undo', 'deployment/paused')).toEqual({
        code: 1,
        out: '',
        err: "error: you cannot rollback a paused deployment; resume it first with 'keelctl rollout resume' and try again\n",
      });
    });

    it('rolls a StatefulSet back to a ControllerRevision', async () => {
      const sts = await statefulSets().create(statefulSet('db'));
      const revisions = k.client.resource('apps/v1', 'ControllerRevision').namespace(k.namespace);
      const revision = (n: number, image: string, cause?: string): ControllerRevision => {
        const t: PodTemplateSpec & { $patch?: string } = { ...template('db', image), $patch: 'replace' };
        return {
          metadata: {
            name: `db-${n}`,
            labels: { app: 'db' },
            ...(cause !== undefined ? { annotations: { 'kubernetes.io/change-cause': cause } } : {}),
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: sts.metadata?.uid ?? '', controller: true }],
          },
          revision: n,
          data: { spec: { template: t } },
        };
      };
      await revisions.create(revision(1, 'postgres:15', 'first'));
      await revisions.create(revision(2, 'postgres:16'));
      expect(await run('history', 'statefulset/db')).toEqual({ code: 0, err: '', out: 'statefulset.apps/db \nREVISION  CHANGE-CAUSE\n1         first\n2         <none>\n\n' });
      expect(await run('undo', 'sts/db')).toEqual({ code: 0, out: 'statefulset.apps/db rolled back\n', err: '' });
      const after: StatefulSet = await statefulSets().get('db');
      expect(after.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['postgres:15']);
      expect(await run('undo', 'sts/db', '--to-revision=1')).toEqual({ code: 0, out: 'statefulset.apps/db skipped rollback (current template already matches revision 1)\n', err: '' });
      await statefulSets().create(statefulSet('lonely'));
      expect(await run('undo', 'sts/lonely')).toEqual({ code: 1, out: '', err: 'error: no last revision to roll back to\n' });
    });
  });

  describe('restart, pause, resume', () => {
    it('restarts by stamping the pod template', async () => {
      await deployments().create(deployment('r1', 1));
      await k.client.resource('apps/v1', 'DaemonSet').namespace(k.namespace).create(daemonSet('agent'));
      const before = Date.now();
      expect(await run('restart', 'deployment/r1', 'daemonset/agent')).toEqual({ code: 0, out: 'deployment.apps/r1 restarted\ndaemonset.apps/agent restarted\n', err: '' });
      const stamp = (await deployments().get('r1')).spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '';
      expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(stamp)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    });

    it('refuses to restart twice in the same second, a paused deployment, or what it cannot restart', async () => {
      await deployments().create(deployment('r2', 1));
      const clock = new FakeClock(Date.parse('2024-05-01T12:00:00Z'));
      expect((await startKeelctl(k.kubeconfig, ['rollout', 'restart', 'deployment/r2'], { clock }).done).out).toBe('deployment.apps/r2 restarted\n');
      expect(await startKeelctl(k.kubeconfig, ['rollout', 'restart', 'deployment/r2'], { clock }).done).toEqual({
        code: 1,
        out: '',
        err: 'error: failed to create patch for r2: if restart has already been triggered within the past second, please wait before attempting to trigger another\n',
      });
      expect(await run('restart', 'deployment/paused')).toEqual({ code: 1, out: '', err: 'error: deployments.apps "paused" can\'t restart paused deployment (run rollout resume first)\n' });
      expect(await run('restart', 'rs/web-aaa111')).toEqual({ code: 1, out: '', err: 'error: replicasets.apps "web-aaa111" restarting is not supported\n' });
    });

    it('pauses and resumes a deployment', async () => {
      await deployments().create(deployment('p1', 1));
      expect(await run('pause', 'deployment/p1')).toEqual({ code: 0, out: 'deployment.apps/p1 paused\n', err: '' });
      expect((await deployments().get('p1')).spec?.paused).toBe(true);
      expect(await run('pause', 'deployment/p1')).toEqual({ code: 1, out: '', err: 'error: deployments.apps "p1" is already paused\n' });
      expect(await run('resume', 'deployment/p1')).toEqual({ code: 0, out: 'deployment.apps/p1 resumed\n', err: '' });
      expect((await deployments().get('p1')).spec?.paused).toBeUndefined();
      expect(await run('resume', 'deployment/p1')).toEqual({ code: 1, out: '', err: 'error: deployments.apps "p1" is not paused\n' });
      expect(await run('pause', 'statefulset/db')).toEqual({ code: 1, out: '', err: 'error: statefulsets.apps "db" pausing is not supported\n' });
    });

    it('reports every failure and goes on with the other objects', async () => {
      await deployments().create(deployment('p2', 1));
      expect(await run('pause', 'deployment/nope', 'deployment/p2')).toEqual({ code: 1, out: 'deployment.apps/p2 paused\n', err: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
      expect(await run('pause', 'deployment/p2', 'sts/db')).toEqual({
        code: 1,
        out: '',
        err: 'error: deployments.apps "p2" is already paused\nerror: statefulsets.apps "db" pausing is not supported\n',
      });
    });
  });

  describe('status', () => {
    it('reports a finished rollout at once', async () => {
      await deployments().create(deployment('done', 3));
      await setStatus('done', { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
      expect(await run('status', 'deployment/done')).toEqual({ code: 0, out: 'deployment "done" successfully rolled out\n', err: '' });
    });

    it('watches the Deployment and prints each step until it is done', async () => {
      await deployments().create(deployment('progress', 3));
      await setStatus('progress', { replicas: 4, updatedReplicas: 1, availableReplicas: 3 });
      const r = startKeelctl(k.kubeconfig, ['rollout', 'status', 'deployment/progress']);
      await r.until('1 out of 3 new replicas have been updated');
      await setStatus('progress', { replicas: 4, updatedReplicas: 3, availableReplicas: 3 });
      await r.until('1 old replicas are pending termination');
      await setStatus('progress', { replicas: 3, updatedReplicas: 3, availableReplicas: 1 });
      await r.until('1 of 3 updated replicas are available');
      await setStatus('progress', { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
      expect(await r.done).toEqual({
        code: 0,
        err: '',
        out: [
          'Waiting for deployment "progress" rollout to finish: 1 out of 3 new replicas have been updated...',
          'Waiting for deployment "progress" rollout to finish: 1 old replicas are pending termination...',
          'Waiting for deployment "progress" rollout to finish: 1 of 3 updated replicas are available...',
          'deployment "progress" successfully rolled out',
          '',
        ].join('\n'),
      });
    });

    it('waits for the controller to observe a new generation', async () => {
      await deployments().create(deployment('gen', 1));
      await setStatus('gen', { replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
      await deployments().patch('gen', 'merge', { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } });
      const r = startKeelctl(k.kubeconfig, ['rollout', 'status', 'deployment/gen']);
      await r.until('Waiting for deployment spec update to be observed...');
      await setStatus('gen', { replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
      expect(await r.done).toEqual({ code: 0, err: '', out: 'Waiting for deployment spec update to be observed...\ndeployment "gen" successfully rolled out\n' });
    });

    it('fails when the progress deadline is exceeded', async () => {
      await deployments().create(deployment('stuck', 2));
      await setStatus('stuck', { replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
      const r = startKeelctl(k.kubeconfig, ['rollout', 'status', 'deployment/stuck']);
      await r.until('1 out of 2 new replicas have been updated');
      await setStatus('stuck', {
        replicas: 2,
        updatedReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "stuck-5d4f" has timed out progressing.' }],
      });
      expect(await r.done).toEqual({
        code: 1,
        out: 'Waiting for deployment "stuck" rollout to finish: 1 out of 2 new replicas have been updated...\n',
        err: 'error: deployment "stuck" exceeded its progress deadline\n',
      });
    });

    it('gives up after --timeout (on an injected clock)', async () => {
      await deployments().create(deployment('slow', 2));
      await setStatus('slow', { replicas: 2, updatedReplicas: 2, availableReplicas: 0 });
      const clock = new FakeClock(Date.now());
      const r = startKeelctl(k.kubeconfig, ['rollout', 'status', 'deployment/slow', '--timeout=90s'], { clock });
      await r.until('0 of 2 updated replicas are available');
      clock.advance(89_000);
      expect(r.out()).not.toContain('error');
      clock.advance(1_000);
      expect(await r.done).toEqual({ code: 1, out: 'Waiting for deployment "slow" rollout to finish: 0 of 2 updated replicas are available...\n', err: 'error: timed out waiting for the condition\n' });
    });

    it('prints one line and stops with --watch=false', async () => {
      expect(await run('status', 'deployment/slow', '--watch=false')).toEqual({ code: 0, out: 'Waiting for deployment "slow" rollout to finish: 0 of 2 updated replicas are available...\n', err: '' });
    });

    it('stops when the object is deleted while it watches', async () => {
      await deployments().create(deployment('doomed', 1));
      await setStatus('doomed', { replicas: 1, updatedReplicas: 0 });
      const r = startKeelctl(k.kubeconfig, ['rollout', 'status', 'deployment/doomed']);
      await r.until('0 out of 1 new replicas');
      await deployments().delete('doomed');
      expect(await r.done).toMatchObject({ code: 1, err: 'error: object has been deleted\n' });
    });

    it('checks --revision against the running revision', async () => {
      await setStatus('web', { replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
      expect(await run('status', 'deployment/web', '--revision=2')).toEqual({ code: 1, out: '', err: 'error: desired revision (2) is different from the running revision (3)\n' });
      expect(await run('status', 'deployment/web', '--revision=3')).toEqual({ code: 0, out: 'deployment "web" successfully rolled out\n', err: '' });
    });

    it('follows StatefulSets and DaemonSets too', async () => {
      const sts = await statefulSets().create(statefulSet('cache', 3));
      await statefulSets().updateStatus({ ...sts, status: { observedGeneration: 1, replicas: 3, readyReplicas: 1, updatedReplicas: 1 } });
      expect(await run('status', 'sts/cache', '--watch=false')).toEqual({ code: 0, out: 'Waiting for 2 pods to be ready...\n', err: '' });
      const cur = await statefulSets().get('cache');
      await statefulSets().updateStatus({ ...cur, status: { observedGeneration: 1, replicas: 3, readyReplicas: 3, updatedReplicas: 3 } });
      expect(await run('status', 'sts/cache')).toEqual({ code: 0, out: 'partitioned roll out complete: 3 new pods have been updated...\n', err: '' });
      const dsRes = k.client.resource('apps/v1', 'DaemonSet').namespace(k.namespace);
      const ds = await dsRes.create(daemonSet('node-agent'));
      await dsRes.updateStatus({ ...ds, status: { observedGeneration: 1, currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } });
      expect(await run('status', 'ds/node-agent', '--watch=false')).toEqual({ code: 0, out: 'Waiting for daemon set "node-agent" rollout to finish: 1 of 2 updated pods are available...\n', err: '' });
    });

    it('has no status viewer for other kinds', async () => {
      expect(await run('status', 'rs/web-aaa111')).toEqual({ code: 1, out: '', err: 'error: no status viewer has been implemented for ReplicaSet.apps\n' });
    });
  });
});
