import type * as PlatformaticKafka from '@platformatic/kafka';

export type PlatformaticKafkaModule = typeof PlatformaticKafka;

let loaded: PlatformaticKafkaModule | undefined;

/**
 * @platformatic/kafka, loaded on first use rather than imported. It ships as an ES module only: Node 26 loads it with
 * `require` as it is (the services are CommonJS bundles), but Jest's CommonJS runtime can only with
 * `--experimental-vm-modules`, which libs/messaging's test targets pass. Loaded lazily, it stays out of every other
 * project's tests (they run on the default, kafkajs) and out of a service that does not choose it.
 */
export function platformaticKafka(): PlatformaticKafkaModule {
  loaded ??= require('@platformatic/kafka') as PlatformaticKafkaModule;
  return loaded;
}
