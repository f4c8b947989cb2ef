// NodePorts filter: the pod's host ports must be free on the node.
import { unschedulable, type FilterPlugin } from '../framework/types';

export const nodePortsName = 'NodePorts';
export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

const rejected = unschedulable(errReasonNodePorts);

export function nodePorts(): FilterPlugin {
  return {
    name: nodePortsName,
    preFilter(pod) {
      const ports = pod.hostPorts;
      if (ports.length === 0) return undefined;
      return (node) => {
        for (const p of ports) if (!node.portFree(p)) return rejected;
        return undefined;
      };
    },
  };
}
