import { AssignerProtocol, type Cluster, type Logger } from 'kafkajs';
import { chooseLeaseHolder, LEASE_ASSIGNER_NAME, leaseAssigner } from './lease-assigner';

const TOPIC = 'smartlink.poller.lease';

// The assigner never looks at the cluster or logger: it only hands out partition 0.
const assignerOf = (claims: () => boolean) =>
  leaseAssigner(claims)({ cluster: {} as Cluster, groupId: 'g', logger: {} as Logger });

function member(memberId: string, claims: boolean) {
  return { memberId, memberMetadata: assignerOf(() => claims).protocol({ topics: [TOPIC] }).metadata };
}

function assignments(result: { memberId: string; memberAssignment: Buffer }[]) {
  return Object.fromEntries(
    result.map(({ memberId, memberAssignment }) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment,
    ]),
  );
}

describe('chooseLeaseHolder', () => {
  it('keeps the lease with the member that holds it', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'a', holder: false },
        { memberId: 'c', holder: true },
        { memberId: 'b', holder: false },
      ]),
    ).toBe('c');
  });

  it('gives it to the first member by id when nobody holds it', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'b', holder: false },
        { memberId: 'a', holder: false },
      ]),
    ).toBe('a');
  });

  it('still chooses exactly one when two claim it', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'z', holder: true },
        { memberId: 'y', holder: true },
      ]),
    ).toBe('y');
  });

  it('chooses nobody in an empty group', () => {
    expect(chooseLeaseHolder([])).toBeUndefined();
  });
});

describe('leaseAssigner', () => {
  it('announces the claim in the member metadata under its own protocol name', () => {
    const state = assignerOf(() => true).protocol({ topics: [TOPIC] });
    expect(state.name).toBe(LEASE_ASSIGNER_NAME);
    const metadata = AssignerProtocol.MemberMetadata.decode(state.metadata);
    expect(metadata?.topics).toEqual([TOPIC]);
    expect(JSON.parse(metadata?.userData.toString() ?? '')).toEqual({ holder: true });
  });

  it('assigns partition 0 to exactly one member, the claiming holder, and nothing to the others', async () => {
    const result = await assignerOf(() => false).assign({
      members: [member('a', false), member('b', true), member('c', false)],
      topics: [TOPIC],
    });
    expect(assignments(result)).toEqual({ a: {}, b: { [TOPIC]: [0] }, c: {} });
  });

  it('treats metadata it cannot read as no claim', async () => {
    const result = await assignerOf(() => false).assign({
      members: [
        { memberId: 'a', memberMetadata: Buffer.from([0xff]) },
        { memberId: 'b', memberMetadata: Buffer.alloc(0) },
      ],
      topics: [TOPIC],
    });
    expect(assignments(result)).toEqual({ a: { [TOPIC]: [0] }, b: {} });
  });
});
