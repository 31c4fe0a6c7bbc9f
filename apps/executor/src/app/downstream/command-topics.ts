import type { KafkaClient, TopicAdmin } from '@smartlink/messaging';

/**
 * Makes sure the command topics (`<ns>.cmd.<Command>`) exist before the executor publishes to them: producers never
 * create topics (auto-creation is off), and a command appears the first time a message of it arrives. Each name is
 * ensured once per process; concurrent chunks asking for the same new topic share one request, and a failed request
 * is forgotten so the next chunk asks again.
 */
export class CommandTopics {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly admin: Pick<TopicAdmin, 'ensureTopics'>,
    private readonly client: Pick<KafkaClient, 'topicSpec'>,
  ) {}

  /** Resolves once every topic in `names` exists (created with the shared layout when missing). */
  async ensure(names: readonly string[]): Promise<void> {
    const wanted = [...new Set(names)];
    const missing = wanted.filter((name) => !this.ensured.has(name));
    if (missing.length > 0) {
      const request = this.admin
        .ensureTopics(missing.map((name) => this.client.topicSpec(name)))
        .then(() => undefined);
      for (const name of missing) this.ensured.set(name, request);
      request.catch(() => {
        for (const name of missing) if (this.ensured.get(name) === request) this.ensured.delete(name);
      });
    }
    const requests: Promise<void>[] = [];
    for (const name of wanted) {
      const request = this.ensured.get(name);
      if (request) requests.push(request);
    }
    await Promise.all(requests);
  }
}
