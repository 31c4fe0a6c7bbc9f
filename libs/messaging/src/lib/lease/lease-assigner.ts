import { AssignerProtocol, type GroupMember, type PartitionAssigner } from 'kafkajs';

/** Protocol name every member of a lease group announces; members that announce another cannot join the group. */
export const LEASE_ASSIGNER_NAME = 'SmartLinkLease';
const LEASE_ASSIGNER_VERSION = 1;

/** One member of a lease group as the assigner sees it. */
export interface LeaseCandidate {
  readonly memberId: string;
  /** The member held the lease in the previous generation and has stayed in touch with the group since. */
  readonly holder: boolean;
}

/**
 * Picks the member that gets partition 0, i.e. the lease. A member that says it holds the lease keeps it, so a
 * standby joining (a rolling deployment, a scale-up) never takes the lease from a healthy holder; otherwise the
 * first member by id. Should two members claim it (a holder that lost touch and came back), the choice is still
 * one member, by id. Returns undefined for an empty group.
 */
export function chooseLeaseHolder(candidates: readonly LeaseCandidate[]): string | undefined {
  const byId = [...candidates].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  return (byId.find((candidate) => candidate.holder) ?? byId[0])?.memberId;
}

/**
 * A kafkajs partition assigner for lease groups: partition 0 of the subscribed topic goes to exactly one member
 * (see {@link chooseLeaseHolder}), every other member gets nothing. `claimsLease` is asked at every join and its
 * answer travels in the member's metadata to whichever member leads the group and runs the assignment.
 */
export function leaseAssigner(claimsLease: () => boolean): PartitionAssigner {
  return () => ({
    name: LEASE_ASSIGNER_NAME,
    version: LEASE_ASSIGNER_VERSION,
    protocol: ({ topics }) => ({
      name: LEASE_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: LEASE_ASSIGNER_VERSION,
        topics,
        userData: Buffer.from(JSON.stringify({ holder: claimsLease() })),
      }),
    }),
    assign: async ({ members, topics }) => {
      const holder = chooseLeaseHolder(members.map(toCandidate));
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: LEASE_ASSIGNER_VERSION,
          assignment: memberId === holder ? Object.fromEntries(topics.map((topic) => [topic, [0]])) : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}

function toCandidate(member: GroupMember): LeaseCandidate {
  return { memberId: member.memberId, holder: claimedHolder(member.memberMetadata) };
}

// Metadata that cannot be read (another client, another version) is no claim: the member can still be chosen.
function claimedHolder(metadata: Buffer): boolean {
  try {
    const userData = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    if (!userData || userData.length === 0) return false;
    const claim: unknown = JSON.parse(userData.toString('utf8'));
    return typeof claim === 'object' && claim !== null && (claim as { holder?: unknown }).holder === true;
  } catch {
    return false;
  }
}
