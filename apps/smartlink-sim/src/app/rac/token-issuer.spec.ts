import { RAC_TENANT_CLAIM } from '@smartlink/contract';
import { decodeJwt } from 'jose';
import { FaultConfigSchema } from '../faults/fault-config';
import { FaultPlan } from '../faults/fault-plan';
import { parseSimSettings } from '../settings/sim-settings';
import { TokenIssuer } from './token-issuer';

const client = { clientId: 'c-1', clientSecret: 's', tenantId: 'tenant-1' };

function rig() {
  let now = Date.parse('2024-05-01T12:00:00.400Z');
  const faults = new FaultPlan(FaultConfigSchema.parse({}));
  const issuer = new TokenIssuer(parseSimSettings({ SIM_TOKEN_TTL_S: '60' }), { now: () => now }, faults);
  return {
    issuer,
    faults,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TokenIssuer', () => {
  it('issues a RAC-shaped JWT carrying the tenant claim and client id', async () => {
    const { issuer } = rig();
    const response = await issuer.issue(client);
    expect(response).toMatchObject({ expires_in: 60, token_type: 'Bearer' });
    const claims = decodeJwt(response.access_token);
    expect(claims[RAC_TENANT_CLAIM]).toBe('tenant-1');
    expect(claims['client_id']).toBe('c-1');
    expect(await issuer.verify(response.access_token)).toEqual({
      tenantId: 'tenant-1',
      clientId: 'c-1',
      tokenId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('never lets a token die before the expires_in it announced', async () => {
    const { issuer, advance } = rig();
    const { access_token: token } = await issuer.issue(client);
    advance(59_999);
    expect(await issuer.verify(token)).not.toBeNull();
    advance(2_000);
    expect(await issuer.verify(token)).toBeNull();
  });

  it('issues short-lived tokens when a fault overrides the lifetime', async () => {
    const { issuer, faults } = rig();
    faults.replace(FaultConfigSchema.parse({ tokenTtlS: 2 }));
    expect((await issuer.issue(client)).expires_in).toBe(2);
  });

  it('refuses every earlier token after the key rotates, and garbage always', async () => {
    const { issuer } = rig();
    const { access_token: token } = await issuer.issue(client);
    issuer.rotateKey();
    expect(await issuer.verify(token)).toBeNull();
    expect(await issuer.verify('not-a-jwt')).toBeNull();
    expect(await issuer.verify((await issuer.issue(client)).access_token)).not.toBeNull();
  });
});
