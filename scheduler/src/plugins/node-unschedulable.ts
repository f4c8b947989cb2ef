// NodeUnschedulable filter: a cordoned node (spec.unschedulable) takes only pods tolerating its unschedulable taint.
import { tolerationsTolerateTaint } from '../framework/helpers';
import { unresolvable, type FilterPlugin } from '../framework/types';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';

const rejected = unresolvable(errReasonUnschedulable);
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulable(): FilterPlugin {
  return {
    name: nodeUnschedulableName,
    preFilter(pod) {
      if (tolerationsTolerateTaint(pod.tolerations, unschedulableTaint)) return undefined;
      return (node) => (node.unschedulable ? rejected : undefined);
    },
  };
}
