import { parseAudience } from '../command/audience-name';
import { parseCommandName } from '../command/command-name';

/**
 * Version path of the link API. SMARTLINK_API_URL includes it (`https://link.totvs.app/api/v1`), so the paths
 * below are relative to it; a server mounts them under `LINK_API_VERSION_PATH + LINK_BASE_PATH`.
 */
export const LINK_API_VERSION_PATH = '/api/v1';
export const LINK_BASE_PATH = '/link';

/** Paths of the four link endpoints named in S1 (smartlink-domain.md §1.5), relative to the API base URL. */
export const LinkPaths = {
  setup: `${LINK_BASE_PATH}/setup`,
  get: `${LINK_BASE_PATH}/get`,
  ack: `${LINK_BASE_PATH}/ack`,
  /**
   * `send/{type}/{audience}`; both segments are validated (a legal name cannot hold `/`, `?`, `%`), and
   * encoded all the same so the path stays safe even if the rules are ever relaxed.
   */
  send(type: string, audience: string): string {
    return `${LINK_BASE_PATH}/send/${encodeURIComponent(parseCommandName(type))}/${encodeURIComponent(parseAudience(audience))}`;
  },
} as const;
