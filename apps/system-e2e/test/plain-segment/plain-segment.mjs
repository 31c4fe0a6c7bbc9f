// A segment written without the segment SDK, from docs/segments-without-sdk.md alone: a plain Kafka client
// (@platformatic/kafka, not the kafkajs the services use), literal topic names, header names and JSON shapes, and
// no library of this project. plain-segment.e2e-spec.ts runs it as a process beside the services.
//
// It executes one command. Each message's `data` is JSON naming what to do: {"act": "succeed" | "fail-first" |
// "fatal" | "reply", "log"?: "<text>"}. Settings come from its environment: KAFKA_BROKERS, NAMESPACE, COMMAND,
// SEGMENT_NAME, TOPIC_PARTITIONS.
import {
  Admin,
  Consumer,
  Producer,
  ProduceAcks,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const brokers = env('KAFKA_BROKERS').split(',');
const ns = env('NAMESPACE');
const command = env('COMMAND');
const segment = env('SEGMENT_NAME');
const partitions = Number(env('TOPIC_PARTITIONS'));

const topics = {
  commands: `${ns}.cmd.${command}`,
  outcomes: `${ns}.outcomes`,
  logs: `${ns}.logs`,
  outbound: `${ns}.outbound`,
};
const source = `segment:${segment}`;

// "A segment that starts before that first message finds no command topic: create the topics you read and write
// yourself, with the same partitions and replication as the executor's settings, and treat 'topic already exists'
// as success."
async function ensureTopics() {
  const admin = new Admin({ clientId: `${segment}-admin`, bootstrapBrokers: brokers });
  try {
    const wanted = Object.values(topics);
    const missing = async () => {
      const existing = new Set(await admin.listTopics());
      return wanted.filter((topic) => !existing.has(topic));
    };
    const toCreate = await missing();
    if (toCreate.length > 0) {
      // Replication left to the broker's default, as the services do when KAFKA_TOPIC_REPLICATION_FACTOR is unset.
      await admin.createTopics({ topics: toCreate, partitions, replicas: -1 }).catch(async (error) => {
        if ((await missing()).length > 0) throw error; // anything but "already exists" (created meanwhile)
      });
    }
  } finally {
    await admin.close();
  }
}

const producer = new Producer({
  clientId: `${segment}-producer`,
  bootstrapBrokers: brokers,
  serializers: stringSerializers,
  acks: ProduceAcks.ALL,
  idempotent: true,
});

/** The outcome record of each (message id, attempt) this process finished: a redelivery is answered, not rerun. */
const finished = new Map();

function outcomeRecord(outcome) {
  return {
    topic: topics.outcomes,
    key: outcome.messageId,
    value: JSON.stringify(outcome),
    headers: {
      'smartlink-message-id': outcome.messageId,
      'smartlink-attempt': String(outcome.attempt),
      'smartlink-schema': 'outcome/v1',
    },
  };
}

function logRecord(messageId, type, message, date) {
  return {
    topic: topics.logs,
    key: messageId,
    value: JSON.stringify({ messageId, type, message, date, source }),
    headers: { 'smartlink-message-id': messageId, 'smartlink-schema': 'log-record/v1' },
  };
}

function outboundRecord(id, value) {
  return {
    topic: topics.outbound,
    key: id,
    value: JSON.stringify(value),
    headers: {
      'smartlink-message-id': id,
      'smartlink-command': value.command,
      ...(value.correlatedId === undefined ? {} : { 'smartlink-correlation-id': value.correlatedId }),
      'smartlink-schema': 'outbound-message/v1',
    },
  };
}

/** Runs one attempt; returns the records to produce, the outcome last. */
function execute(message) {
  const startedAt = new Date().toISOString();
  const { id, attempt } = message;
  const task = JSON.parse(message.data);
  const records = [];
  let status = 'succeeded';
  let error;
  if (task.act === 'fail-first' && attempt === 1) {
    status = 'failed';
    error = `plain segment: attempt ${attempt} fails on purpose`;
  } else if (task.act === 'fatal') {
    status = 'fatal';
    error = 'plain segment: this message can never succeed';
  } else if (task.act === 'reply') {
    // The same id on every run of this message, so the executor absorbs a reply published twice.
    records.push(
      outboundRecord(`${id}.reply`, {
        command: `${command}Reply`,
        audience: 'plain-app',
        data: JSON.stringify({ answered: id, by: source }),
        correlatedId: id,
      }),
    );
  }
  const finishedAt = new Date().toISOString();
  if (task.log) records.push(logRecord(id, status === 'succeeded' ? 0 : 2, task.log, finishedAt));
  // Outbound messages of a failed attempt are never sent.
  const effects = status === 'succeeded' ? records : records.filter((r) => r.topic !== topics.outbound);
  const outcome = { messageId: id, attempt, status, ...(error ? { error } : {}), startedAt, finishedAt };
  return [...effects, outcomeRecord(outcome)];
}

function answer(record) {
  const headers = record.headers;
  let message;
  try {
    message = JSON.parse(record.value);
    JSON.parse(message.data);
  } catch (problem) {
    // "When its headers give the message id and attempt, answer fatal; otherwise log it and skip it."
    const id = headers.get('smartlink-message-id');
    const attempt = Number(headers.get('smartlink-attempt'));
    if (!id || !Number.isInteger(attempt) || attempt < 1) return [];
    const now = new Date().toISOString();
    const error = `plain segment: unreadable command record (${problem.message})`;
    return [
      outcomeRecord({ messageId: id, attempt, status: 'fatal', error, startedAt: now, finishedAt: now }),
    ];
  }
  const key = `${message.id}#${message.attempt}`;
  const known = finished.get(key);
  if (known) return known;
  const records = execute(message);
  finished.set(key, records.slice(-1));
  return records;
}

async function main() {
  await ensureTopics();
  const consumer = new Consumer({
    groupId: `${ns}.segment.${segment}`,
    clientId: `${segment}-consumer`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({
    topics: [topics.commands],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stream.close();
    await consumer.close(true);
    await producer.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  process.stdout.write(`consuming ${topics.commands} as ${ns}.segment.${segment}\n`);

  for await (const record of stream) {
    const records = answer(record);
    // "Commit a record's offset only after its outcome (and the outbound and log records of the attempt) are durable."
    if (records.length > 0) await producer.send({ messages: records });
    await record.commit();
    process.stdout.write(`answered ${record.key} attempt ${record.headers.get('smartlink-attempt')}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`plain segment failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
