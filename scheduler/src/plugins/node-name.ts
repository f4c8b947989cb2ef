// NodeName filter: a pod that names its node (spec.nodeName) fits that node only.
import { unresolvable, type FilterPlugin } from '../framework/types';

export const nodeNameName = 'NodeName';
export const errReasonNodeName = "node(s) didn't match the requested node name";

const rejected = unresolvable(errReasonNodeName);

export function nodeName(): FilterPlugin {
  return {
    name: nodeNameName,
    preFilter(pod) {
      const wanted = pod.pod.spec?.nodeName;
      if (!wanted) return undefined;
      return (node) => (node.name === wanted ? undefined : rejected);
    },
  };
}
