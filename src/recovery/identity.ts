import type { Account, AccountRepository, Profile } from './types.js';

/**
 * Who the channel itself vouches for. Only the channel layer builds one, from proof the channel
 * gives (an authenticated Teams activity, later a web chat session); nothing a person types does.
 */
export type ChannelIdentity =
  | { kind: 'teams'; aadObjectId: string; tenantId?: string }
  /** A web chat conversation the site's backend opened for its signed-in user. */
  | { kind: 'webSession'; accountId: string; profile?: string };

/** A signed-in person: the account and the profile in use. */
export interface SignedInPerson {
  account: Account;
  /** Undefined when the account has no profiles on record. */
  profile: Profile | undefined;
}

/** The main profile is the first one listed. */
export function mainProfileOf(account: Account): Profile | undefined {
  return account.profiles?.[0];
}

/** In Teams: the profile named when the user was linked, else the main one. */
export function teamsProfileOf(account: Account): Profile | undefined {
  return account.profiles?.find((profile) => profile.name === account.teamsProfile) ?? mainProfileOf(account);
}

export function isKidsProfile(person: SignedInPerson): boolean {
  return person.profile?.kids === true;
}

/** The one place that decides whether a channel identity is signed in, and as whom. */
export class IdentityService {
  constructor(private readonly accounts: AccountRepository) {}

  async signedIn(identity: ChannelIdentity | undefined): Promise<SignedInPerson | undefined> {
    if (!identity) return undefined;
    switch (identity.kind) {
      case 'teams': {
        const account = await this.accounts.findByTeamsAadObjectId(identity.aadObjectId);
        return account ? { account, profile: teamsProfileOf(account) } : undefined;
      }
      case 'webSession': {
        const account = await this.accounts.findById(identity.accountId);
        if (!account) return undefined;
        if (identity.profile === undefined) return { account, profile: mainProfileOf(account) };
        // A profile removed since the session opened signs nobody in.
        const profile = account.profiles?.find((known) => known.name === identity.profile);
        return profile ? { account, profile } : undefined;
      }
    }
  }
}
