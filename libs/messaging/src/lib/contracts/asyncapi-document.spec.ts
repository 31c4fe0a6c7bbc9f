import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { TopicNames } from '../topics/topic-names';
import { COMMAND_MESSAGE_SCHEMA_ID, CommandMessageSchema, commandMessageRecord } from './command-message';
import { DEAD_LETTER_SCHEMA_ID, DeadLetterSchema, deadLetterRecord } from './dead-letter';
import { LifecycleEventSchema, lifecycleEventRecord, type LifecycleEvent } from './lifecycle-event';
import { LOG_RECORD_SCHEMA_ID, LogRecordSchema, logRecordRecord } from './log-record';
import { OUTBOUND_MESSAGE_SCHEMA_ID, OutboundMessageSchema, outboundMessageRecord } from './outbound-message';
import {
  ATTEMPT_STARTED_SCHEMA_ID,
  AttemptStartedSchema,
  attemptStartedRecord,
  OUTCOME_SCHEMA_ID,
  OutcomeSchema,
  outcomeRecord,
} from './outcome';
import { SmartLinkHeaders } from './smartlink-headers';

// The AsyncAPI document is written by hand (descriptions, operations, bindings); this spec keeps it true to the code:
// every payload schema must equal the JSON Schema of the zod schema the code validates with, and every topic, header
// and schema id of the code must be in it.
const DOCUMENT_PATH = join(__dirname, '../../../../../docs/asyncapi.yaml');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ANNOTATIONS = new Set(['description', 'title', 'examples', '$comment']);

/** Resolves the document's local `$ref`s and drops annotations, leaving what constrains values. */
function resolve(node: Json, document: JsonObject, depth = 0): Json {
  if (depth > 50) throw new Error('$ref cycle in the document');
  if (Array.isArray(node)) return node.map((item) => resolve(item, document, depth + 1));
  if (node === null || typeof node !== 'object') return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are checked: ${ref}`);
    const target = ref
      .slice(2)
      .split('/')
      .reduce<Json>((at, part) => (at as JsonObject)[part] as Json, document);
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    return resolve(target, document, depth + 1);
  }
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!ANNOTATIONS.has(key)) result[key] = resolve(value, document, depth + 1);
  }
  return result;
}

/** The JSON Schema of what a producer must send: zod's input side, in the draft AsyncAPI schemas build on. */
function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
  }) as JsonObject;
  return resolve(rest, {});
}

/** The code's message schemas by schema id (the `smartlink-schema` header); an event variant may carry several. */
function codeMessages(): Map<string, z.ZodType> {
  const messages = new Map<string, z.ZodType>([
    [COMMAND_MESSAGE_SCHEMA_ID, CommandMessageSchema],
    [OUTCOME_SCHEMA_ID, OutcomeSchema],
    [ATTEMPT_STARTED_SCHEMA_ID, AttemptStartedSchema],
    [OUTBOUND_MESSAGE_SCHEMA_ID, OutboundMessageSchema],
    [LOG_RECORD_SCHEMA_ID, LogRecordSchema],
    [DEAD_LETTER_SCHEMA_ID, DeadLetterSchema],
  ]);
  for (const variant of LifecycleEventSchema.options) {
    const type = (jsonSchemaOf(variant) as { properties: { type: { const?: string; enum?: string[] } } })
      .properties.type;
    const types = type.const === undefined ? (type.enum ?? []) : [type.const];
    messages.set(types.map((t) => `event/${t}/v1`).join(' '), variant);
  }
  return messages;
}

interface DocumentMessage {
  readonly name: string;
  readonly ids: string;
  readonly payload: Json;
  readonly headers: { properties: Record<string, Json>; required?: string[] };
  readonly key: Json;
}

function documentMessages(document: JsonObject): DocumentMessage[] {
  const messages = (document['components'] as JsonObject)['messages'] as Record<string, JsonObject>;
  return Object.entries(messages).map(([name, message]) => {
    const headers = resolve(message['headers'] as Json, document) as DocumentMessage['headers'];
    const schemaHeader = headers.properties[SmartLinkHeaders.schema] as { const?: string };
    const declared = schemaHeader.const ?? (message['x-smartlink-schema'] as string | string[] | undefined);
    if (declared === undefined) throw new Error(`message ${name} names no schema id`);
    const bindings = resolve(message['bindings'] as Json, document) as { kafka: { key: Json } };
    return {
      name,
      ids: [declared].flat().join(' '),
      payload: resolve(message['payload'] as Json, document),
      headers,
      key: bindings.kafka.key,
    };
  });
}

const AT = '2026-11-28T10:00:00.000Z';
const LATER = '2026-11-28T10:00:01.000Z';
const COMMAND = { command: 'DemoPing', direction: 'downstream' } as const;

/** One record per event variant, each event type at least once. */
const SAMPLE_EVENTS: LifecycleEvent[] = [
  {
    type: 'received',
    messageId: 'm-1',
    at: AT,
    command: 'DemoPing',
    tenantId: 't-1',
    correlatedId: null,
    data: '{}',
    source: null,
    occurredAt: null,
    enqueuedAt: null,
    envelope: 'cloudevents',
  },
  { type: 'dispatched', messageId: 'm-1', at: AT, command: 'DemoPing', attempt: 1 },
  ...(['succeeded', 'failed', 'fatal'] as const).map((type) => ({
    type,
    messageId: 'm-1',
    at: AT,
    ...COMMAND,
    attempt: 1,
    error: type === 'succeeded' ? null : 'boom',
    startedAt: AT,
    finishedAt: LATER,
  })),
  { type: 'published', messageId: 'm-1', at: AT, command: 'DemoPing', audience: 'SGDP', correlatedId: null },
  { type: 'retry-scheduled', messageId: 'm-1', at: AT, ...COMMAND, attempt: 2, dueAt: LATER },
  { type: 'retry-due', messageId: 'm-1', at: LATER, ...COMMAND, attempt: 2, dueAt: LATER },
  {
    type: 'dead-lettered',
    messageId: 'm-1',
    at: AT,
    ...COMMAND,
    attempts: 3,
    reason: 'attempts-exhausted',
    error: 'boom',
  },
  { type: 'redriven', messageId: 'm-1', at: AT, ...COMMAND, by: 'alice', reason: null },
];

const deadLetter = {
  messageId: 'm-1',
  command: 'DemoPing',
  tenantId: 't-1',
  correlatedId: 'c-1',
  direction: 'downstream',
  data: '{}',
  attempts: 3,
  reason: 'attempts-exhausted',
  errorCode: null,
  lastError: 'boom',
  deadAt: AT,
  source: 'retry-scheduler',
} as const;

/**
 * Records the code produces, per schema id: `full` with every optional field given (so every header it can write),
 * `minimal` with none (so only the headers it always writes).
 */
const SAMPLE_RECORDS: Record<string, { full: EventRecord; minimal: EventRecord; messageId: string | null }> =
  {
    [COMMAND_MESSAGE_SCHEMA_ID]: {
      full: commandMessageRecord(
        {
          id: 'm-1',
          command: 'DemoPing',
          tenantId: 't-1',
          correlatedId: 'c-1',
          attempt: 1,
          data: '{}',
          receivedAt: AT,
        },
        { runAlone: true, startBy: new Date(AT) },
      ),
      minimal: commandMessageRecord({
        id: 'm-1',
        command: 'DemoPing',
        tenantId: null,
        correlatedId: null,
        attempt: 1,
        data: '{}',
        receivedAt: AT,
      }),
      messageId: 'm-1',
    },
    [OUTCOME_SCHEMA_ID]: {
      full: outcomeRecord({
        messageId: 'm-1',
        attempt: 2,
        status: 'failed',
        error: 'boom',
        startedAt: AT,
        finishedAt: LATER,
        logs: [{ type: 2, message: 'failed: boom', debug: 'Error: boom', date: LATER, source: 'segment:hr' }],
      }),
      minimal: outcomeRecord({
        messageId: 'm-1',
        attempt: 2,
        status: 'succeeded',
        startedAt: AT,
        finishedAt: LATER,
      }),
      messageId: 'm-1',
    },
    [ATTEMPT_STARTED_SCHEMA_ID]: {
      full: attemptStartedRecord({
        messageId: 'm-1',
        attempt: 2,
        status: 'started',
        startedAt: AT,
        outcomeDueBy: LATER,
        instance: 'pod-1 pid 1',
      }),
      minimal: attemptStartedRecord({
        messageId: 'm-1',
        attempt: 2,
        status: 'started',
        startedAt: AT,
        outcomeDueBy: LATER,
        instance: 'pod-1 pid 1',
      }),
      messageId: 'm-1',
    },
    [OUTBOUND_MESSAGE_SCHEMA_ID]: {
      full: outboundMessageRecord('m-1', {
        command: 'DemoPing',
        audience: 'SGDP',
        data: '{}',
        correlatedId: 'c-1',
      }),
      minimal: outboundMessageRecord('m-1', { command: 'DemoPing', audience: 'SGDP', data: '{}' }),
      messageId: 'm-1',
    },
    [LOG_RECORD_SCHEMA_ID]: {
      full: logRecordRecord({
        messageId: 'm-1',
        type: 2,
        message: 'boom',
        debug: 'stack',
        date: AT,
        source: 'poller',
      }),
      minimal: logRecordRecord({ type: 0, message: 'up', date: AT, source: 'poller' }),
      messageId: 'm-1',
    },
    [DEAD_LETTER_SCHEMA_ID]: {
      full: deadLetterRecord(deadLetter, 'receipt-1'),
      minimal: deadLetterRecord({ ...deadLetter, messageId: null, command: null }, 'receipt-1'),
      messageId: 'm-1',
    },
  };

describe('docs/asyncapi.yaml', () => {
  const text = readFileSync(DOCUMENT_PATH, 'utf8');
  const document = parse(text) as JsonObject;
  const messages = documentMessages(document);

  it('is a valid AsyncAPI 3.0 document (checked by @asyncapi/parser)', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    const problems = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
  }, 60_000);

  it('documents exactly the message schemas of the code', () => {
    expect(messages.map((m) => m.ids).sort()).toEqual([...codeMessages().keys()].sort());
  });

  describe.each([...codeMessages()])('the payload of %s', (ids, schema) => {
    it('equals the JSON Schema of the zod schema the code validates with', () => {
      const message = messages.find((m) => m.ids === ids);
      expect(message?.payload).toEqual(jsonSchemaOf(schema));
    });
  });

  it('names every topic of the code, and no other', () => {
    const topics = new TopicNames('ns');
    const fromCode = Object.entries(topics)
      .filter(([property, value]) => property !== 'namespace' && typeof value === 'string')
      .map(([, value]) => value as string);
    fromCode.push(topics.command('DemoPing'));
    const channels = Object.values(document['channels'] as Record<string, { address: string }>);
    const fromDocument = channels.map((c) =>
      c.address.replace('{namespace}', 'ns').replace('{command}', 'DemoPing'),
    );
    expect(fromDocument.sort()).toEqual(fromCode.sort());
  });

  it('names every header of the code', () => {
    const documented = new Set(messages.flatMap((m) => Object.keys(m.headers.properties)));
    for (const header of Object.values(SmartLinkHeaders)) expect([...documented]).toContain(header);
  });

  describe.each(Object.entries(SAMPLE_RECORDS))('a %s record', (id, sample) => {
    const message = () => messages.find((m) => m.ids === id);

    it('carries the headers the document lists, and those it requires', () => {
      expect(Object.keys(sample.full.headers ?? {}).sort()).toEqual(
        Object.keys(message()?.headers.properties ?? {}).sort(),
      );
      expect(Object.keys(sample.minimal.headers ?? {}).sort()).toEqual(
        [...(message()?.headers.required ?? [])].sort(),
      );
      expect(sample.full.headers?.[SmartLinkHeaders.schema]).toBe(id);
    });

    it('is keyed by the message id, as the document says', () => {
      expect(sample.full.key).toBe(sample.messageId);
      expect(message()?.key).toBeDefined();
    });
  });

  it('gives every event record the headers of the event log and the schema id of its variant', () => {
    const eventHeaders = messages.find((m) => m.ids.startsWith('event/'))?.headers;
    for (const event of SAMPLE_EVENTS) {
      const record = lifecycleEventRecord(event);
      expect(record.key).toBe(event.messageId);
      expect(Object.keys(record.headers ?? {}).sort()).toEqual([...(eventHeaders?.required ?? [])].sort());
      const documented = messages.find((m) =>
        m.ids.split(' ').includes(record.headers?.[SmartLinkHeaders.schema] ?? ''),
      );
      expect(documented?.payload).toEqual(
        jsonSchemaOf(LifecycleEventSchema.options.find((v) => v.safeParse(event).success) as z.ZodType),
      );
    }
  });

  it('says which service sends and which receives on every channel', () => {
    const services = new Set(
      ((document['info'] as JsonObject)['tags'] as { name: string }[]).map((t) => t.name),
    );
    const operations = Object.values(
      document['operations'] as Record<
        string,
        { action: string; channel: { $ref: string }; tags: { name: string }[] }
      >,
    );
    for (const operation of operations) {
      expect(operation.tags).toHaveLength(1);
      expect([...services]).toContain(operation.tags[0]?.name);
    }
    for (const channel of Object.keys(document['channels'] as JsonObject)) {
      const actions = operations
        .filter((o) => o.channel.$ref === `#/channels/${channel}`)
        .map((o) => o.action);
      expect(new Set(actions)).toEqual(new Set(['send', 'receive']));
    }
  });
});
