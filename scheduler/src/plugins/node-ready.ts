// NodeReady filter: a node whose Ready condition is not True takes only pods tolerating its not-ready/unreachable taint.
import { tolerationsTolerateTaint } from '../framework/helpers';
import { unresolvable, type FilterPlugin } from '../framework/types';

export const nodeReadyName = 'NodeReady';
export const errReasonNotReady = 'node(s) were not ready';

const rejected = unresolvable(errReasonNotReady);
const notReadyTaint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
const unreachableTaint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

/**
 * Kubernetes leaves this to the taints the node lifecycle controller puts on such nodes;
 * Keelson checks the condition itself so a node is never used before its kubelet reports
 * Ready, whether or not that controller runs. Ready=False is treated as the not-ready taint,
 * Unknown (or no condition) as the unreachable one, so DaemonSet-style pods that tolerate
 * those still fit.
 */
export function nodeReady(): FilterPlugin {
  return {
    name: nodeReadyName,
    preFilter(pod) {
      const toleratesNotReady = tolerationsTolerateTaint(pod.tolerations, notReadyTaint);
      const toleratesUnreachable = tolerationsTolerateTaint(pod.tolerations, unreachableTaint);
      if (toleratesNotReady && toleratesUnreachable) return undefined;
      return (node) => {
        if (node.ready === 'True') return undefined;
        if (node.ready === 'False' ? toleratesNotReady : toleratesUnreachable) return undefined;
        return rejected;
      };
    },
  };
}
