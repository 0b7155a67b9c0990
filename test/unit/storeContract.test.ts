import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import type { Account, ResetRequest } from '../../src/recovery/types.js';
import { createLogger } from '../../src/security/logger.js';
import { openStore, type Repositories } from '../../src/services.js';
import { isETagConflict } from '../../src/store/botStateStorage.js';
import type { Ticket } from '../../src/support/tickets.js';
import { describeOncePerRun, freshBackend, type TestBackend } from '../helpers/backend.js';
import { makeTempDir } from '../helpers/tempDir.js';

function account(id: string, email: string, extra: Partial<Account> = {}): Account {
  return {
    id,
    email,
    firstName: 'Test',
    lastName: 'Person',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    previousPasswordHashes: [],
    credentialVersion: 0,
    payment: { type: 'other' },
    createdAt: '2026-11-25T10:00:00Z',
    updatedAt: '2026-11-25T10:00:00Z',
    ...extra,
  };
}

function request(id: string, accountId: string, secretHash: string): ResetRequest {
  return {
    id,
    accountId,
    purpose: 'email-link',
    secretHash,
    issuedAt: '2026-11-25T10:00:00Z',
    expiresAt: '2026-11-26T10:00:00Z',
    credentialVersion: 0,
  };
}

/** The same promises from every store: what the domain relies on, on the JSON files and on PostgreSQL. */
describeOncePerRun('the stores keep the same promises (JSON files and PostgreSQL)', function () {
  this.timeout(30_000);
  for (const kind of ['json', 'postgres'] as const) {
    describe(`on ${kind === 'json' ? 'the JSON store' : 'PostgreSQL'}`, () => {
      let store: Repositories;
      let temp: ReturnType<typeof makeTempDir>;
      let backend: TestBackend | undefined;

      beforeEach(async () => {
        temp = makeTempDir();
        backend = kind === 'postgres' ? await freshBackend() : undefined;
        const config = loadConfig({ DATA_DIR: temp.dir, ...(backend?.env ?? {}) });
        store = await openStore(config, createLogger('silent'));
      });
      afterEach(async () => {
        await store.close();
        await backend?.remove();
        temp.remove();
      });

      it('refuses a conversation state write that names an eTag someone else replaced', async () => {
        await store.botStorage.write({ 'conv/state': { step: 1 } });
        const read = (await store.botStorage.read(['conv/state']))['conv/state'] as { eTag: string; step: number };
        expect(read.step).to.equal(1);
        await store.botStorage.write({ 'conv/state': { ...read, step: 2 } });
        const stale = store.botStorage.write({ 'conv/state': { ...read, step: 3 } });
        await stale.then(
          () => expect.fail('a stale write must be refused'),
          (error: unknown) => expect(isETagConflict(error), String(error)).to.equal(true),
        );
        const now = (await store.botStorage.read(['conv/state']))['conv/state'] as { step: number; eTag: string };
        expect(now.step).to.equal(2);
        await store.botStorage.write({ 'conv/state': { ...now, step: 4, eTag: '*' } });
        await store.botStorage.delete(['conv/state']);
        expect(await store.botStorage.read(['conv/state'])).to.deep.equal({});
      });

      it('finds accounts by every index, and follows a change of number', async () => {
        const emma = account('a-1', 'emma@example.com', {
          phone: '+31612345678',
          teamsAadObjectId: 'ABCDEF00-0000-0000-0000-000000000001',
          payment: { type: 'card', cardFingerprint: 'fp-emma-card-0000000000', cardLast4: '1111' },
        });
        await store.accounts.upsertManyByEmail([() => emma, () => account('a-2', 'liam@example.com')]);
        expect((await store.accounts.findByEmail('emma@example.com'))?.id).to.equal('a-1');
        expect((await store.accounts.findByPhone('+31612345678'))?.id).to.equal('a-1');
        expect((await store.accounts.findByTeamsAadObjectId('abcdef00-0000-0000-0000-000000000001'))?.id).to.equal(
          'a-1',
        );
        expect((await store.accounts.findByCardFingerprint('fp-emma-card-0000000000')).map((a) => a.id)).to.deep.equal([
          'a-1',
        ]);
        await store.accounts.update('a-1', (current) => ({ ...current, phone: '+31687654321' }));
        expect(await store.accounts.findByPhone('+31612345678')).to.equal(undefined);
        expect((await store.accounts.findByPhone('+31687654321'))?.id).to.equal('a-1');
        expect(await store.accounts.update('nobody', (current) => current)).to.equal(undefined);
        // The same address again updates the account rather than adding a twin.
        await store.accounts.upsertManyByEmail([
          (existing) => ({ ...account('a-3', 'emma@example.com'), id: existing?.id ?? 'a-3' }),
        ]);
        const pages: Account[][] = [];
        for await (const page of store.accounts.all()) pages.push(page);
        expect(
          pages
            .flat()
            .map((a) => a.email)
            .sort(),
        ).to.deep.equal(['emma@example.com', 'liam@example.com']);
        expect(await store.accounts.isEmpty()).to.equal(false);
      });

      it('keeps one live request per account and purpose: a newer link voids the older one', async () => {
        await store.requests.replace(request('r-1', 'a-1', 'hash-1'));
        await store.requests.replace(request('r-2', 'a-1', 'hash-2'));
        expect(await store.requests.findBySecretHash('hash-1')).to.equal(undefined);
        expect((await store.requests.findBySecretHash('hash-2'))?.id).to.equal('r-2');
        await store.requests.markUsed(request('r-1', 'a-1', 'hash-1'), new Date('2026-11-25T11:00:00Z'));
        expect((await store.requests.findCurrent('a-1', 'email-link'))?.usedAt).to.equal(undefined);
        await store.requests.markUsed(request('r-2', 'a-1', 'hash-2'), new Date('2026-11-25T11:00:00Z'));
        expect((await store.requests.findCurrent('a-1', 'email-link'))?.usedAt).to.equal('2026-11-25T11:00:00.000Z');
      });

      it("answers with a conversation's newest ticket only while it is open", async () => {
        const ticket = (id: string, state: Ticket['state']): Ticket => ({
          id,
          conversationId: 'c-1',
          locale: 'en',
          journey: undefined,
          step: undefined,
          summary: [],
          state,
          createdAt: '2026-11-25T10:00:00Z',
          updatedAt: '2026-11-25T10:00:00Z',
        });
        await store.tickets.put(ticket('T-1', 'cancelled'));
        await store.tickets.put(ticket('T-2', 'open'));
        expect((await store.tickets.openFor('c-1'))?.id).to.equal('T-2');
        await store.tickets.update('T-2', (current) => ({ ...current, state: 'completed' }));
        expect(await store.tickets.openFor('c-1')).to.equal(undefined);
        expect((await store.tickets.get('T-2'))?.state).to.equal('completed');
      });

      it('keeps the newest code per number, and password pages by their ticket', async () => {
        const challenge = (id: string, conversationId: string) => ({
          id,
          conversationId,
          phoneKey: 'phone-key',
          secretHash: `stand-in-${id}`,
          expiresAt: '2026-11-25T10:20:00Z',
          failedAttempts: 0,
        });
        await store.challenges.put(challenge('s-1', 'c-1'));
        await store.challenges.put(challenge('s-2', 'c-2'));
        expect(await store.challenges.latestFor('phone-key')).to.equal('s-2');
        await store.challenges.update('c-1', (current) => ({ ...current, failedAttempts: 1 }));
        expect((await store.challenges.get('c-1'))?.failedAttempts).to.equal(1);

        const offer = {
          conversationId: 'c-1',
          grant: { requestId: 'r-1', accountId: 'a-1', purpose: 'email-link' as const },
          locale: 'en' as const,
          reply: {},
        };
        await store.pages.putOffer(offer);
        await store.pages.openTicket('c-1', 'ticket-1', '2026-11-25T10:10:00Z');
        await store.pages.openTicket('c-1', 'ticket-2', '2026-11-25T10:10:00Z');
        expect(await store.pages.findByTicket('ticket-1')).to.equal(undefined);
        expect((await store.pages.findByTicket('ticket-2'))?.conversationId).to.equal('c-1');
        await store.pages.deleteOffer('c-1');
        expect(await store.pages.findByTicket('ticket-2')).to.equal(undefined);
      });
    });
  }
});
