import { z } from 'zod';

/** At most this many messages per `POST /demo/publish`, so one request stays one reasonable Kafka send. */
export const MAX_DEMO_PUBLISH_COUNT = 1_000;

/** The body of `POST /demo/publish`. Command and audience are checked by the SDK, which says what is wrong. */
export const DemoPublishRequestSchema = z.object({
  count: z.number().int().min(1).max(MAX_DEMO_PUBLISH_COUNT),
  command: z.string().default('DemoNotice'),
  audience: z.string().default('demo-app'),
});
export type DemoPublishRequest = z.infer<typeof DemoPublishRequestSchema>;
