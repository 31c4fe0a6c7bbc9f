// Injection tokens of the poller's providers that are not classes of their own.

/** The cloud conversation (`SmartLinkTransport`): the REST client built from the settings. */
export const SMARTLINK_TRANSPORT = Symbol('SMARTLINK_TRANSPORT');
/** Named one-shot timers on the schedule module's registry. */
export const POLLER_TIMERS = Symbol('POLLER_TIMERS');
