import { createLogger } from '../../src/security/logger.js';
import { expect } from 'chai';
import { DEFAULT_LIMITS } from '../../src/config.js';
import type { AuditEvent } from '../../src/security/audit.js';
import { RateLimits } from '../../src/security/rateLimits.js';
import { JsonTicketRepository } from '../../src/store/jsonRepositories.js';
import { NO_SUPPORT_CHANNEL } from '../../src/support/supportChannel.js';
import { BackgroundTasks } from '../../src/tasks.js';
import { redactedSummary, TicketService, type Ticket } from '../../src/support/tickets.js';
import { makeTempDir } from '../helpers/tempDir.js';

/** A conversation with every kind of secret in it, as a person might type them. */
const SEEDED = [
  { step: 'menu', text: 'I forgot my password, my email is emma.devries@example.com' },
  { step: 'password', text: 'lantern-orbit-velvet' },
  { step: 'confirm', text: 'lantern-orbit-velvet' },
  { step: 'currentPassword', text: 'my-old-secret-pass' },
  { step: 'code', text: '481516' },
  { step: 'phoneCode', text: '234 234' },
  { step: 'cardNumber', text: '4111 1111 1111 1111' },
  { step: 'link', text: 'http://localhost:3978/reset?token=wP_ypbp3Vjz7z4AEz55GSeE48cv7swgC9rMBhbA9ANY' },
  { step: 'menu', text: 'my card is 5500-0000-0000-0004 and the code 123456 did not work' },
  { step: 'menu', text: 'here is the link http://x.example/reset?token=wP_ypbp3Vjz7z4AEz55GSeE48cv7swgC9rMBhbA9ANY' },
  { step: 'phone', text: 'my number is 06 12345678' },
  { step: 'email', text: 'emma.devries@example.com' },
  { step: 'menu', text: 'Reset my password', choice: 'reset' },
  { step: 'menu', text: 'my password is lantern-orbit-velvet please help' },
];

describe('support tickets', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());
  it('never keeps a password, code, token or card number in the summary', () => {
    const summary = JSON.stringify(redactedSummary(SEEDED));
    for (const secret of [
      'lantern-orbit-velvet',
      'my-old-secret-pass',
      '481516',
      '234 234',
      '4111 1111 1111 1111',
      '5500-0000-0000-0004',
      '123456',
      'wP_ypbp3Vjz7z4AEz55GSeE48cv7swgC9rMBhbA9ANY',
      'emma.devries@',
      '12345678',
    ])
      expect(summary, secret).to.not.contain(secret);
    // What the bot understood stays readable for the agent; other free text is withheld.
    expect(summary).to.contain('[free text withheld: 58 characters]');
    expect(summary).to.contain('[phone …78]');
  });

  it('keeps the choices and the masked address the person gave', () => {
    const summary = JSON.stringify(redactedSummary(SEEDED));
    expect(summary).to.contain('[chose: reset]').and.contain('e***@example.com');
  });

  it('hides whatever was typed at a secret step, even text that looks harmless', () => {
    expect(redactedSummary([{ step: 'password', text: 'hello' }])).to.deep.equal([
      { step: 'password', text: '[hidden: typed at a secret step]' },
    ]);
  });

  /** The service on the JSON store in a temp dir, with what it delivered and audited. */
  async function ticketService() {
    const audit: AuditEvent[] = [];
    const delivered: Ticket[] = [];
    const logged: string[] = [];
    const tickets = new JsonTicketRepository(temp.dir);
    await tickets.init();
    const tasks = new BackgroundTasks(createLogger('silent'));
    /** The support channel: none registered, unless a test gives it a card to post and a way to show it. */
    const channel = { ...NO_SUPPORT_CHANNEL };
    const service = new TicketService(
      tickets,
      {
        channel,
        outbox: { deliver: async (ticket) => void delivered.push(ticket) },
        tasks,
      },
      { record: async (event) => void audit.push(event) },
      new RateLimits(DEFAULT_LIMITS),
      createLogger('warn', (line) => logged.push(line)),
    );
    return { service, audit, delivered, logged, channel, tasks };
  }

  it('settles a ticket even when its card cannot be updated, and logs why', async () => {
    const { service, logged, channel, tasks } = await ticketService();
    channel.postTicket = async () => ({ reference: {}, activityId: 'card-1' });
    channel.showCard = async () => {
      throw new Error('channel unreachable');
    };
    const ticket = await service.open({ conversationId: 'c-9', locale: 'en', reason: 'asked', recent: [] });
    await tasks.idle();
    expect((await service.complete(ticket!.id, 'api'))?.state).to.equal('completed');
    await tasks.idle();
    expect(logged.join('\n')).to.contain('ticket card not updated').and.contain('channel unreachable');
  });

  it('opens, then settles once; completing or cancelling a settled ticket does nothing', async () => {
    const { service, audit, delivered, channel, tasks } = await ticketService();
    const settled: Ticket[] = [];
    // Posted to the support channel, whose card then shows each change.
    channel.postTicket = async (ticket) => {
      delivered.push(ticket);
      return { reference: {}, activityId: 'card-1' };
    };
    channel.showCard = async (_card, view) => void (view.kind === 'ticket' && settled.push(view.ticket));
    const ticket = await service.open({
      conversationId: 'c-1',
      locale: 'nl',
      journey: 'billingDialog',
      reason: 'noCardPayment',
      recent: redactedSummary(SEEDED),
    });
    if (!ticket) throw new Error('no ticket opened');
    await tasks.idle();
    expect(ticket.reason).to.equal('noCardPayment');
    expect(delivered.map((t) => t.id)).to.deep.equal([ticket.id]);
    expect(JSON.stringify(delivered)).to.not.contain('lantern-orbit-velvet');
    expect((await service.openFor('c-1'))?.id).to.equal(ticket.id);
    expect((await service.complete(ticket.id, 'api'))?.state).to.equal('completed');
    expect(await service.cancel(ticket.id)).to.equal(undefined);
    expect(await service.complete(ticket.id, 'api')).to.equal(undefined);
    expect(await service.openFor('c-1')).to.equal(undefined);
    expect(audit.map((event) => event.event)).to.deep.equal(['support.handoff_requested', 'support.handoff_completed']);
    await tasks.idle();
    expect(settled.map((t) => [t.state, t.settledBy])).to.deep.equal([['completed', 'api']], 'told once, by whom');
  });

  it('opens at most three tickets per conversation an hour, so nobody can flood the support channel', async () => {
    const { service, audit, delivered, tasks } = await ticketService();
    const request = (conversationId: string) => ({
      conversationId,
      locale: 'en',
      reason: 'asked' as const,
      recent: [],
    });
    const opened = [];
    for (let i = 0; i < 4; i++) {
      const ticket = await service.open(request('c-1'));
      opened.push(ticket);
      if (ticket) await service.cancel(ticket.id);
    }
    expect(opened.map((ticket) => ticket !== undefined)).to.deep.equal([true, true, true, false]);
    expect(await service.open(request('c-2'))).to.not.equal(undefined, 'another conversation is not held back');
    await tasks.idle();
    expect(delivered).to.have.length(4);
    expect(audit.filter((event) => event.event === 'support.handoff_limited')).to.have.length(1);
  });
});
