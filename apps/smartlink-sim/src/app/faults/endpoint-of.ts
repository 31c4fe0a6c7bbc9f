import { LINK_API_VERSION_PATH, LINK_BASE_PATH, RAC_TOKEN_PATH } from '@smartlink/contract';
import type { FaultEndpoint } from './fault-config';

const LINK = `${LINK_API_VERSION_PATH}${LINK_BASE_PATH}`;
const EXACT: Readonly<Record<string, FaultEndpoint>> = {
  [RAC_TOKEN_PATH]: 'token',
  [`${LINK}/setup`]: 'setup',
  [`${LINK}/get`]: 'get',
  [`${LINK}/ack`]: 'ack',
};
const SEND_PREFIX = `${LINK}/send/`;

/** The cloud endpoint a request URL addresses, or null (admin API, unknown paths), which faults never touch. */
export function endpointOf(url: string): FaultEndpoint | null {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return EXACT[path] ?? (path.startsWith(SEND_PREFIX) ? 'send' : null);
}
