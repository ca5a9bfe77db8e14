import type { Resource } from '@medplum/fhirtypes';
import type { HookEvaluation } from '../hook/evaluator';
import type { GatheredData } from '../clinical/gathered-record';
import type { Locale, KnowledgeLocale } from '../clinical/finding';

/**
 * The messages between the main thread and an evaluation worker (src/evaluation/worker.ts). Everything is plain
 * data for the structured clone: no functions, no class instances other than Date.
 */

/** What a worker needs to load the knowledge and build the evaluator: the relevant part of the Config. */
export interface WorkerSettings {
  readonly rulesDir: string;
  readonly fhirResourcesDir: string;
  readonly defaultLocale: Locale;
  readonly translations: readonly KnowledgeLocale[];
  /** With the sandbox on: the public base URL for the cards' link to the physiotherapist's view. */
  readonly sandboxBaseUrl?: string;
}

/**
 * Resources per chunk of a large record. Serialising a message blocks the sending thread, so a record of 10,000
 * resources is sent in slices with a turn of the event loop between them (a /healthz never waits behind it),
 * while a record of the usual size (tens of resources) is one message.
 */
export const CHUNK_RESOURCES = 500;

export type ToWorker =
  /** An evaluation; `chunks` more messages follow with the resources of the long lists, in order. */
  | { readonly type: 'task'; readonly id: number; readonly evaluation: HookEvaluation; readonly chunks: number }
  | { readonly type: 'chunk'; readonly id: number; readonly key: string; readonly resources: readonly Resource[] };

export type FromWorker =
  | { readonly type: 'ready' }
  /** The knowledge could not be loaded: the worker stops. */
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  /** The evaluation threw; an HttpError keeps its status, body and headers. */
  | {
      readonly type: 'error';
      readonly id: number;
      readonly message: string;
      readonly http?: { status: number; body: unknown; headers: Record<string, string> };
    };

/**
 * The evaluation as messages: the first carries everything but the tails of the long resource lists, the others
 * carry those tails in slices. The Patient stays in the first message, so `record.patient` is still the same
 * object as the Patient in `record.data` after the clone (the evaluator relies on that identity).
 * The request's prefetch and FHIR token are left out: the evaluator reads the gathered record, never those.
 */
export function toMessages(id: number, evaluation: HookEvaluation): ToWorker[] {
  const request = { ...evaluation.request };
  delete request.prefetch;
  delete request.fhirAuthorization;
  const chunks: ToWorker[] = [];
  const data: Record<string, GatheredData> = {};
  for (const [key, entry] of Object.entries(evaluation.record.data)) {
    if (entry === undefined) {
      continue;
    }
    if (entry.resources.length <= CHUNK_RESOURCES || entry.resources.includes(evaluation.record.patient)) {
      data[key] = entry;
      continue;
    }
    data[key] = { ...entry, resources: entry.resources.slice(0, CHUNK_RESOURCES) };
    for (let start = CHUNK_RESOURCES; start < entry.resources.length; start += CHUNK_RESOURCES) {
      chunks.push({ type: 'chunk', id, key, resources: entry.resources.slice(start, start + CHUNK_RESOURCES) });
    }
  }
  const task: ToWorker = {
    type: 'task',
    id,
    evaluation: { ...evaluation, request, record: { ...evaluation.record, data } },
    chunks: chunks.length,
  };
  return [task, ...chunks];
}

/** Collects a task and its chunks in the worker; returns the whole evaluation once the last chunk arrived. */
export class TaskAssembler {
  private readonly pending = new Map<number, { evaluation: HookEvaluation; missing: number }>();

  add(message: ToWorker): { id: number; evaluation: HookEvaluation } | undefined {
    if (message.type === 'task') {
      if (message.chunks === 0) {
        return { id: message.id, evaluation: message.evaluation };
      }
      this.pending.set(message.id, { evaluation: message.evaluation, missing: message.chunks });
      return undefined;
    }
    const task = this.pending.get(message.id);
    if (task === undefined) {
      return undefined;
    }
    // The first message's arrays are this thread's own copies: appending to them is safe.
    (task.evaluation.record.data[message.key]?.resources as Resource[] | undefined)?.push(...message.resources);
    task.missing -= 1;
    if (task.missing > 0) {
      return undefined;
    }
    this.pending.delete(message.id);
    return { id: message.id, evaluation: task.evaluation };
  }
}
