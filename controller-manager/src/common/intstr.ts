// IntOrString values (maxSurge, maxUnavailable): a count, or a percentage of a total rounded as Kubernetes rounds.
import { InvalidError, fieldErr, FieldPath } from '@keelson/api';

/**
 * intstr.GetScaledValueFromIntOrPercent: a number is itself; `"25%"` is 25% of `total`, rounded
 * up (maxSurge) or down (maxUnavailable). Anything else is an InvalidError naming `field`.
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, field = 'value'): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (m === null) {
    throw new InvalidError({ resource: 'deployments', group: 'apps' }, [fieldErr.invalid(FieldPath.root(field), value, 'must be an integer or a percentage (e.g. "25%")')]);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
