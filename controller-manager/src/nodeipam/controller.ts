// Node IPAM (range allocator): gives each Node a free pod CIDR of the cluster CIDR, rebuilt from existing Nodes at start, released on deletion.
import { isStatusError, type Node, type ObjectReference } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, systemClock, type Clock, type DeletedFinalStateUnknown, type EventRecorder, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../common/controller';
import { errorText } from '../common/errors';
import { CidrError, CidrExhaustedError, CidrSet } from './cidr';

export interface NodeIpamControllerOptions {
  client: RestClient;
  nodes: SharedIndexInformer<Node>;
  recorder: EventRecorder;
  logger: Logger;
  /** --cluster-cidr. Default 10.42.0.0/16. */
  clusterCidr?: string;
  /** --node-cidr-mask-size. Default 24. */
  nodeCidrMaskSize?: number;
  clock?: Clock;
  registry?: Registry;
  /** Default 1: allocation is in-memory state, one worker keeps it simple to follow in logs. */
  workers?: number;
}

export const defaultClusterCidr = '10.42.0.0/16';
export const defaultNodeCidrMaskSize = 24;

/** The pod CIDR recorded on a Node (podCIDRs[0], else podCIDR). */
export function podCidrOf(node: Node): string | undefined {
  const c = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
  return c === undefined || c === '' ? undefined : c;
}

/**
 * The range allocator of Kubernetes' nodeipam controller (IPv4, one cluster CIDR):
 *
 *   start: caches synced ─► occupy every Node's existing podCIDR
 *   Node without podCIDR ─► next free node CIDR ─► patch spec.podCIDR + spec.podCIDRs
 *                           none free ─► event CIDRNotAvailable, retry with back-off
 *   Node deleted ─► its CIDR is free again (handed out again only after the others: round robin)
 */
export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly queue: WorkQueue<string>;
  readonly cidrs: CidrSet;
  /** Node name → the CIDR this controller counts as that node's. */
  private readonly byNode = new Map<string, string>();
  private rebuilt = false;

  constructor(private readonly o: NodeIpamControllerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    this.cidrs = new CidrSet(o.clusterCidr ?? defaultClusterCidr, o.nodeCidrMaskSize ?? defaultNodeCidrMaskSize);
    this.queue = new WorkQueue<string>({ name: 'nodeipam', clock, ...(o.registry ? { registry: o.registry } : {}) });
    o.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(keyOf(n)),
      onUpdate: (old, cur) => {
        if (podCidrOf(old) !== podCidrOf(cur) || podCidrOf(cur) === undefined) this.queue.add(keyOf(cur));
      },
      onDelete: (obj: Node | DeletedFinalStateUnknown<Node>) => this.queue.add(keyOf(deletedObject(obj))),
    });
  }

  /** Marks every cached Node's CIDR as taken (before the first allocation: CIDRs are never handed out twice). */
  rebuild(): void {
    for (const node of this.o.nodes.lister.list()) this.record(node);
    this.rebuilt = true;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.o.nodes.waitForSync(signal))) return;
    this.rebuild();
    this.o.logger.info('node CIDRs rebuilt from existing nodes', { controller: this.name, allocated: this.cidrs.allocatedCount(), capacity: this.cidrs.size });
    return runLoop({ name: this.name, queue: this.queue, workers: this.o.workers ?? 1, informers: [this.o.nodes], sync: (key) => this.sync(key), logger: this.o.logger }, signal);
  }

  /** Reconciles one Node name (exposed for tests). */
  async sync(name: string): Promise<void> {
    if (!this.rebuilt) this.rebuild();
    const node = this.o.nodes.lister.get(undefined, name);
    if (node === undefined || node.metadata?.deletionTimestamp !== undefined) {
      const cidr = this.byNode.get(name);
      if (cidr !== undefined && node === undefined) {
        this.cidrs.release(cidr);
        this.byNode.delete(name);
        this.o.logger.info('released node CIDR', { controller: this.name, node: name, cidr });
      }
      return;
    }
    if (podCidrOf(node) !== undefined) {
      this.record(node);
      return;
    }
    // Allocated before but the patch not seen yet (or it failed): offer the same one again.
    let cidr = this.byNode.get(name);
    if (cidr === undefined) {
      try {
        cidr = this.cidrs.allocateNext();
      } catch (e: unknown) {
        if (!(e instanceof CidrExhaustedError)) throw e;
        this.o.recorder.event(nodeRef(node), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw e;
      }
      this.byNode.set(name, cidr);
    }
    try {
      // resourceVersion makes the patch conditional: if another writer (another allocator) got there first, 409 and look again.
      await this.o.client.resource('v1', 'Node').patch(name, 'merge', { metadata: { uid: node.metadata?.uid, resourceVersion: node.metadata?.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.o.logger.info('set node pod CIDR', { controller: this.name, node: name, cidr });
    } catch (e: unknown) {
      this.cidrs.release(cidr);
      this.byNode.delete(name);
      if (isStatusError(e, 'NotFound')) return;
      if (isStatusError(e, 'Conflict')) throw e;
      this.o.recorder.event(nodeRef(node), 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed (${errorText(e)})`);
      throw e;
    }
  }

  /** Counts a Node's existing CIDR as taken; one outside the cluster CIDR is logged and left alone, as Kubernetes does. */
  private record(node: Node): void {
    const name = node.metadata?.name ?? '';
    const cidr = podCidrOf(node);
    if (cidr === undefined) return;
    const known = this.byNode.get(name);
    if (known === cidr) return;
    try {
      if (known !== undefined) this.cidrs.release(known);
      this.cidrs.occupy(cidr);
      this.byNode.set(name, cidr);
    } catch (e: unknown) {
      if (!(e instanceof CidrError)) throw e;
      this.o.logger.warn('node CIDR is not in the cluster CIDR; leaving it alone', { controller: this.name, node: name, cidr, error: e.message });
    }
  }
}

/** A Node's events refer to it with its name as uid, as Kubernetes' node events do (they land in `default`). */
function nodeRef(node: Node): ObjectReference {
  const name = node.metadata?.name ?? '';
  return { apiVersion: 'v1', kind: 'Node', name, uid: name };
}
