/**
 * Version announced in `User-Agent: smartlink-client/<version>`, so the cloud's logs tell client builds apart.
 * A unit test keeps it equal to the workspace package.json version.
 */
export const SMARTLINK_CLIENT_VERSION = '0.1.0';
export const SMARTLINK_USER_AGENT = `smartlink-client/${SMARTLINK_CLIENT_VERSION}`;
