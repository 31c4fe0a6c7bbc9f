// The client libraries the benchmark compares, each used directly (see raw-client.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as platformaticKafka1 from 'platformatic-kafka-v1';
import { kafkajsClient } from './kafkajs-client';
import { platformaticClient, platformaticKafka2, type PlatformaticKafka } from './platformatic-client';
import type { RawClientPackage, RawKafkaClient } from './raw-client';

/** The client installed as `pkg` (see RAW_CLIENT_PACKAGES), with the version its package.json gives. */
export function rawKafkaClient(
  pkg: RawClientPackage,
  workspace: string,
  brokers: readonly string[],
): RawKafkaClient {
  const { version } = JSON.parse(
    readFileSync(join(workspace, 'node_modules', pkg, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  switch (pkg) {
    case 'kafkajs':
      return kafkajsClient(brokers, version);
    case '@platformatic/kafka':
      return platformaticClient(platformaticKafka2, brokers, version);
    case 'platformatic-kafka-v1':
      // 1.x's classes carry private fields, which make TypeScript take them for other types than 2.x's; the parts
      // used here (constructors' options, send, consume, close, the two enums) are the same in both.
      return platformaticClient(platformaticKafka1 as unknown as PlatformaticKafka, brokers, version);
  }
}
