// Rollback through the deprecated.deployment.rollback.to annotation: the old template and change-cause come back, the request is cleared.
import type { Deployment } from '@keelson/api';
import { deployment } from '../testing/builders';
import { deploymentFixture, rsFor } from '../testing/fixtures';

describe('rollback', () => {
  function setup(to: string) {
    const f = deploymentFixture();
    const d = deployment('web', 2, { image: 'nginx:3', annotations: { 'deployment.kubernetes.io/revision': '3', 'kubernetes.io/change-cause': 'v3', 'deprecated.deployment.rollback.to': to } });
    f.deployments(d);
    const v1 = rsFor(d, 0, { image: 'nginx:1', revision: 1 });
    v1.metadata!.annotations!['kubernetes.io/change-cause'] = 'v1';
    const v2 = rsFor(d, 0, { image: 'nginx:2', revision: 2 });
    v2.metadata!.annotations!['kubernetes.io/change-cause'] = 'v2';
    const v3 = rsFor(d, 2, { revision: 3 });
    v3.metadata!.annotations!['kubernetes.io/change-cause'] = 'v3';
    f.replicaSets(v1, v2, v3);
    return f;
  }

  it('puts the template and change-cause of the requested revision back and clears the request', async () => {
    const f = setup('1');
    await f.controller.sync('default/web');
    const update = f.api.writes().find((a) => a.verb === 'update' && a.resource === 'deployments')!.body as Deployment;
    expect(update.spec?.template?.spec?.containers[0]?.image).toBe('nginx:1');
    expect(update.spec?.template?.metadata?.labels).toEqual({ app: 'web' });
    expect(update.metadata?.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3', 'kubernetes.io/change-cause': 'v1' });
    expect(f.recorder.events).toContain('Normal DeploymentRollback Rolled back deployment "web" to revision 1');
  });

  it('rolls back to the previous revision for 0', async () => {
    const f = setup('0');
    await f.controller.sync('default/web');
    const update = f.api.writes().find((a) => a.verb === 'update' && a.resource === 'deployments')!.body as Deployment;
    expect(update.spec?.template?.spec?.containers[0]?.image).toBe('nginx:2');
  });

  it('only clears the request, with a warning, for a revision that does not exist', async () => {
    const f = setup('9');
    await f.controller.sync('default/web');
    const writes = f.api.writes().filter((a) => a.resource === 'deployments');
    expect(writes.map((a) => a.verb)).toEqual(['patch']);
    expect(writes[0]!.body).toEqual({ metadata: { annotations: { 'deprecated.deployment.rollback.to': null } } });
    expect(f.recorder.events).toEqual(['Warning DeploymentRollbackRevisionNotFound Unable to find the revision to rollback to.']);
  });

  it('only clears the request when the revision has the current template', async () => {
    const f = setup('3');
    await f.controller.sync('default/web');
    expect(f.recorder.events[0]).toMatch(/^Warning DeploymentRollbackTemplateUnchanged/);
  });
});
