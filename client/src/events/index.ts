// Public surface of event recording: the broadcaster and recorders, the EventSink interface they write through, and fakes.
export { EventBroadcaster, completeEventBroadcasterConfig, referenceTo, eventTimestamp } from './broadcaster';
export { EventCorrelator, completeCorrelatorConfig, combinedPrefix, eventName, type Correlation } from './correlator';
export type {
  EventType,
  EventSource,
  EventObject,
  EventPatch,
  EventSink,
  EventRecorder,
  CorrelatorOptions,
  CorrelatorConfig,
  EventBroadcasterOptions,
  EventBroadcasterConfig,
} from './types';
export { FakeEventRecorder, FakeEventSink, type EventSinkFault } from './fake';
