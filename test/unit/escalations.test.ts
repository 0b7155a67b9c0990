import { createLogger } from '../../src/security/logger.js';
import { expect } from 'chai';
import type { AuditEvent, AuditTrail } from '../../src/security/audit.js';
import { JsonEscalationRepository } from '../../src/store/jsonRepositories.js';
import { EscalationService } from '../../src/support/escalations.js';
import { NO_SUPPORT_CHANNEL } from '../../src/support/supportChannel.js';
import { BackgroundTasks } from '../../src/tasks.js';
import { makeTempDir } from '../helpers/tempDir.js';

describe('support escalations (state machine)', () => {
  let audit: AuditEvent[];
  let service: EscalationService;
  let temp: ReturnType<typeof makeTempDir>;
  /** How the support channel answers when the service starts a journey. */
  let reach: () => Promise<boolean>;
  beforeEach(async () => {
    reach = async () => true;
    audit = [];
    temp = makeTempDir();
    const escalations = new JsonEscalationRepository(temp.dir);
    await escalations.init();
    const trail: AuditTrail = { record: async (event) => void audit.push(event) };
    service = new EscalationService(
      escalations,
      { noteEscalation: async () => false },
      { ...NO_SUPPORT_CHANNEL, startJourney: () => reach() },
      trail,
      createLogger('silent'),
      new BackgroundTasks(createLogger('silent')),
    );
  });
  afterEach(() => temp.remove());

  it('starts, then settles once: a later outcome does not change a final state', async () => {
    const escalation = await service.start({ conversationId: 'conv-1', journey: 'reset', by: 'api' });
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
    reach = async () => false;
    expect((await service.start({ conversationId: 'conv-1', journey: 'phone', by: 'api' })).state).to.equal('failed');
    reach = async () => {
      throw new Error('channel down');
    };
    const thrown = await service.start({ conversationId: 'conv-2', journey: 'billing', by: 'api' });
    expect(thrown.state).to.equal('failed');
    await service.finish(thrown.id, 'completed');
    expect((await service.get(thrown.id))?.state).to.equal('failed');
  });

  it('ignores an outcome for an unknown escalation', async () => {
    await service.finish('no-such-id', 'completed');
    expect(audit).to.deep.equal([]);
  });
});
