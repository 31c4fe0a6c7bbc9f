/**
 * Where the client's settings live in Kubernetes, in one place: the namespace, the Secret an operator creates and the
 * ConfigMaps the kustomize overlay generates, with the keys the services read from each. The manifests
 * (`docker/k8s`) are held to it by tools/docs-check; `npm run cli -- activate` prints exactly these names and keys.
 * Renaming one here means renaming it in the manifests too, or the docs-check test fails.
 */
export const KubernetesSettingsObjects = {
  /** The namespace of every object (`namespace:` of the kustomizations). */
  namespace: 'smartlink',
  /**
   * The Secret the operator creates with kubectl (never in the manifests, never in git); each service takes the keys
   * it needs through `secretKeyRef`.
   */
  secret: {
    name: 'smartlink-secrets',
    keys: ['SMARTLINK_CLIENT_SECRET', 'DB_PASSWORD', 'REDRIVE_HTTP_TOKEN'],
  },
  /** The overlay an installation applies (`kubectl apply -k`), relative to the repository root. */
  siteOverlay: 'docker/k8s/site',
  /**
   * ConfigMaps generated from env files of the overlay (`configMapGenerator`, so a change rolls the pods). `keys` are
   * the ones activate writes; any other `SMARTLINK_*` setting it ran with goes into `cloud` too.
   */
  configMaps: {
    /** The cloud's addresses and the tenant's client id: poller and executor. */
    cloud: {
      name: 'smartlink-cloud',
      envFile: 'cloud.env',
      keys: ['SMARTLINK_RAC_URL', 'SMARTLINK_API_URL', 'SMARTLINK_CLIENT_ID'],
    },
    /** The commands the tenant queue subscribes to: poller. */
    poller: { name: 'smartlink-poller', envFile: 'poller.env', keys: ['SMARTLINK_SUBSCRIPTIONS'] },
  },
} as const;

/** A key of the Secret {@link KubernetesSettingsObjects} names. */
export type KubernetesSecretKey = (typeof KubernetesSettingsObjects.secret.keys)[number];
