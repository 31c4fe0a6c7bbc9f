/** Injection token of the validated `KafkaSettings` that `KafkaModule` was configured with. */
export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
