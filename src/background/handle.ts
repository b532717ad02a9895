// How the background answers a message: only for allowed senders, only with valid data.
import * as v from 'valibot';
import { InklingError, type Problem } from '../shared/problem';
import { onMessage, type ProtocolMap } from '../messaging';
import { type Outcome } from '../shared/outcome';
import { senderKind, type SenderInfo, type SenderKind } from './senders';

/** Panel (notion.so tab) and popup (extension page): who may ask for runs. */
export const PANEL_OR_POPUP: readonly SenderKind[] = ['extension-page', 'notion-tab'];

type Handler<K extends keyof ProtocolMap> = (
  data: Parameters<ProtocolMap[K]>[0],
  sender: SenderInfo,
) => ReturnType<ProtocolMap[K]> | Promise<ReturnType<ProtocolMap[K]>>;

/** Registers a handler that runs only for allowed senders and valid data. */
export function handle<K extends keyof ProtocolMap>(
  name: K,
  allowed: readonly SenderKind[],
  schema: v.GenericSchema,
  handler: Handler<K>,
): void {
  onMessage(name, ((message: { data: unknown; sender?: SenderInfo }) => {
    // A message that says nothing of its sender is refused like one from a stranger.
    const sender: SenderInfo = message.sender ?? {};
    const kind = senderKind(sender);
    if (!kind || !allowed.includes(kind)) {
      console.warn(`[inkling] refused "${String(name)}" from`, sender.url);
      throw new Error('Inkling refused this request.');
    }
    const parsed = v.safeParse(schema, message.data);
    if (!parsed.success) throw new Error(`Invalid request for ${String(name)}.`);
    return handler(parsed.output as Parameters<ProtocolMap[K]>[0], sender);
  }) as Parameters<typeof onMessage<K>>[1]);
}

/** The messages that answer with an Outcome, and the value each carries. */
type OutcomeMessage = {
  [K in keyof ProtocolMap]: ReturnType<ProtocolMap[K]> extends Outcome<unknown> ? K : never;
}[keyof ProtocolMap];
type OutcomeValue<K extends OutcomeMessage> = ReturnType<ProtocolMap[K]> extends Outcome<infer T> ? T : never;

/**
 * Registers a handler for a message that answers with an Outcome: the action returns the value, and
 * any failure becomes the answer's Problem — an InklingError's own, anything else through `toProblem`.
 */
export function handleOutcome<K extends OutcomeMessage>(
  name: K,
  allowed: readonly SenderKind[],
  schema: v.GenericSchema,
  action: (data: Parameters<ProtocolMap[K]>[0], sender: SenderInfo) => Promise<OutcomeValue<K>>,
  toProblem: (error: unknown) => Problem,
): void {
  handle(name, allowed, schema, ((data: Parameters<ProtocolMap[K]>[0], sender: SenderInfo) =>
    outcomeValue(() => action(data, sender), toProblem)) as Handler<K>);
}

/** Runs an action whose failures are InklingErrors, as an Outcome. */
export async function outcomeOf(action: () => Promise<void>): Promise<Outcome<null>> {
  try {
    await action();
    return { ok: true, value: null };
  } catch (error) {
    if (error instanceof InklingError) return { ok: false, problem: error.problem };
    throw error;
  }
}

/** Runs a lookup whose failures become the Problem `toProblem` names. */
export async function outcomeValue<T>(
  action: () => Promise<T>,
  toProblem: (error: unknown) => Problem,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, problem: error instanceof InklingError ? error.problem : toProblem(error) };
  }
}
