import type { TurnContext } from 'botbuilder';
import { AuthenticationConstants, type ClaimsIdentity } from 'botframework-connector';
import { isKidsProfile, type ChannelIdentity, type SignedInPerson } from '../src/recovery/identity.js';
import { isTeams, textsFor, type DialogServices } from './services.js';
import { turnOf } from './turn.js';

/**
 * What the channel proves about the sender of this turn. In Teams that is the activity's
 * `from.aadObjectId`, but only when the Bot Connector signed the request: the adapter has then
 * checked the token, and its issuer is the Bot Framework channel service. An unauthenticated
 * turn (the Emulator without an app id) proves nothing, whatever its activity says.
 */
export function channelIdentityOf(context: TurnContext): ChannelIdentity | undefined {
  const { activity } = context;
  const session = turnOf(context).webSession;
  if (session)
    return {
      kind: 'webSession',
      accountId: session.accountId,
      ...(session.profile ? { profile: session.profile } : {}),
    };
  if (activity.channelId !== 'msteams' || !activity.from?.aadObjectId) return undefined;
  const claims = context.turnState.get<ClaimsIdentity | undefined>(context.adapter.BotIdentityKey);
  if (!claims?.isAuthenticated) return undefined;
  const issuer = claims.getClaimValue(AuthenticationConstants.IssuerClaim);
  if (issuer !== AuthenticationConstants.ToBotFromChannelTokenIssuer) return undefined;
  const tenantId = (activity.conversation?.tenantId ?? undefined) as string | undefined;
  return { kind: 'teams', aadObjectId: activity.from.aadObjectId, ...(tenantId ? { tenantId } : {}) };
}

/** The signed-in person behind this turn, if the channel proves one. */
export function signedInPersonOf(context: TurnContext, services: DialogServices): Promise<SignedInPerson | undefined> {
  return services.identity.signedIn(channelIdentityOf(context));
}

/** Why a signed-in journey cannot go on, or the person it runs for. */
export type SignedInCheck = { kind: 'ok'; person: SignedInPerson } | { kind: 'notSignedIn' } | { kind: 'kidsProfile' };

/**
 * The password change and the phone number change alter the account itself, so they need a signed-in person on a grown-up profile:
 * a Kids profile may watch, not manage the account.
 */
export async function checkSignedIn(context: TurnContext, services: DialogServices): Promise<SignedInCheck> {
  const person = await signedInPersonOf(context, services);
  if (!person) return { kind: 'notSignedIn' };
  if (isKidsProfile(person)) return { kind: 'kidsProfile' };
  return { kind: 'ok', person };
}

/** Why a signed-in journey is refused, in words that fit the channel. */
export function signedInRefusal(
  context: TurnContext,
  services: DialogServices,
  why: Exclude<SignedInCheck['kind'], 'ok'>,
): string {
  const t = textsFor(context, services);
  if (why === 'kidsProfile') return t('signedIn.kidsProfile');
  return t(isTeams(context) ? 'signedIn.notSignedInTeams' : 'signedIn.notSignedIn');
}
