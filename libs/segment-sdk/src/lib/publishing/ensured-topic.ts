import type { KafkaClient, TopicAdmin } from '@smartlink/messaging';

/**
 * One topic made sure of once per process before the first send to it: producers never create topics, and a
 * publisher may be used before the segment's start-up has created them. Concurrent callers share one request; a
 * failed one is forgotten, so the next call asks again.
 */
export class EnsuredTopic {
  private request: Promise<void> | null = null;

  constructor(
    private readonly admin: Pick<TopicAdmin, 'ensureTopics'>,
    private readonly client: Pick<KafkaClient, 'topicSpec'>,
    readonly name: string,
  ) {}

  ensure(): Promise<void> {
    this.request ??= this.admin.ensureTopics([this.client.topicSpec(this.name)]).then(
      () => undefined,
      (error: unknown) => {
        this.request = null;
        throw error;
      },
    );
    return this.request;
  }
}
