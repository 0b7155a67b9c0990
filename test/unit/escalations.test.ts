import { createLogger } from '../../src/security/logger.js';
import { expect } from 'chai';
import type { AuditEvent, AuditTrail } from '../../src/security/audit.js';
import { JsonEscalationRepository } from '../../src/store/jsonRepositories.js';
import { EscalationService } from '../../src/support/escalations.js';
import { makeTempDir } from '../helpers/tempDir.js';

describe('support escalations (state machine)', () => {
  let audit: AuditEvent[];
  let service: EscalationService;
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    audit = [];
    temp = makeTempDir();
    const escalations = new JsonEscalationRepository(temp.dir);
    await escalations.init();
    const trail: AuditTrail = { record: async (event) => void audit.push(event) };
    service = new EscalationService(escalations, trail, createLogger('silent'));
  });
  afterEach(() => temp.remove());

  it('starts, then settles once: a later outcome does not change a final state', async () => {
    const escalation = await service.start({ conversationId: 'conv-1', journey: 'reset', by: 'api' }, async () => true);
    expect(escalation.state).to.equal('started');
    await service.finish(escalation.id, 'completed');
    await service.finish(escalation.id, 'abandoned');
    expect((await service.get(escalation.id))?.state).to.equal('completed');
    expect(audit.map((event) => event.event)).to.deep.equal([
      'support.escalation_started',
      'support.escalation_completed',
    ]);
    expect(JSON.stringify(audit)).to.not.contain('@');
  });

  it('fails when the conversation cannot be reached, whether the starter says so or throws', async () => {
    expect(
      (await service.start({ conversationId: 'conv-1', journey: 'phone', by: 'api' }, async () => false)).state,
    ).to.equal('failed');
    const thrown = await service.start({ conversationId: 'conv-2', journey: 'billing', by: 'api' }, async () => {
      throw new Error('channel down');
    });
    expect(thrown.state).to.equal('failed');
    await service.finish(thrown.id, 'completed');
    expect((await service.get(thrown.id))?.state).to.equal('failed');
  });

  it('ignores an outcome for an unknown escalation', async () => {
    await service.finish('no-such-id', 'completed');
    expect(audit).to.deep.equal([]);
  });
});
