import { expect } from 'chai';
import twilio from 'twilio';
import { EMMA, importAccounts } from '../helpers/accounts.js';
import { latestResetLink, startTestApp, type TestApp } from '../helpers/testApp.js';
import { TwilioStandIn, type StandInBehaviour } from '../helpers/twilioStandIn.js';

const ACCOUNT_SID = `AC${'1a2b3c4d'.repeat(4)}`;
const AUTH_TOKEN = 'stand-in-auth-token-0123456789';
const SERVICE_SID = `MG${'9f8e7d6c'.repeat(4)}`;
const EMMA_PHONE = '+31612345678';
const SAME_ANSWER =
  'Bedankt. Als dit nummer aan een account is gekoppeld, is er een code van 6 cijfers per sms onderweg. De code is 20 minuten geldig.';

interface AuditEntry {
  event: string;
  detail?: Record<string, unknown>;
}

describe('SMS through the official Twilio client, against a local stand-in', () => {
  let standIn: TwilioStandIn;
  let test: TestApp;

  async function start(env: Record<string, string> = {}): Promise<void> {
    const baseUrl = await standIn.start();
    test = await startTestApp({
      env: {
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: '+3197010254321',
        TWILIO_API_BASE_URL: baseUrl,
        PUBLIC_BASE_URL: 'https://help.streamflix.example',
        ...env,
      },
      configure: (config) => {
        config.twilio!.timeoutMs = 500;
      },
    });
    await importAccounts(test, EMMA);
  }

  beforeEach(() => {
    standIn = new TwilioStandIn();
  });

  afterEach(async () => {
    await test.close();
    await standIn.stop();
  });

  async function askCode(): Promise<string> {
    const chat = test.conversation(undefined, 'nl-NL');
    await chat.say('reset');
    await chat.say('sms');
    const answer = await chat.say('06 12345678');
    await test.app.idle();
    return answer;
  }

  async function audit(): Promise<AuditEntry[]> {
    return (await test.app.audit.readAll()) as AuditEntry[];
  }

  it('sends the code with the request Twilio expects: account URL, basic auth, To, From, Body', async () => {
    await start();
    expect(await askCode()).to.contain(SAME_ANSWER);
    expect(standIn.received).to.have.length(1);
    const request = standIn.received[0]!;
    expect(request.method).to.equal('POST');
    expect(request.path).to.equal(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.authorization).to.equal(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(request.form.To).to.equal(EMMA_PHONE);
    expect(request.form.From).to.equal('+3197010254321');
    expect(request.form.Body).to.match(
      /^\d{6} is je herstelcode voor StreamFlix\. De code is 20 minuten geldig\. Deel hem met niemand\.$/,
    );
    expect(request.form.StatusCallback).to.equal('https://help.streamflix.example/api/twilio/status');
    expect((await audit()).map((e) => e.event)).to.include('reset.code_sent');
    expect(await test.texts()).to.deep.equal([]);
  });

  it('completes the journey with the code the stand-in received', async () => {
    await start();
    const chat = test.conversation(undefined, 'nl-NL');
    await chat.say('reset');
    await chat.say('sms');
    await chat.say('06 12345678');
    await test.app.idle();
    const code = /^(\d{6}) /.exec(standIn.received[0]!.form.Body!)![1]!;
    await chat.say(code);
    expect(await chat.say({ value: { password: 'wolk-lepel-paard-zon', confirm: 'wolk-lepel-paard-zon' } })).to.contain(
      'Je wachtwoord is gewijzigd',
    );
  });

  it('uses the messaging service instead of a sender number when one is configured', async () => {
    await start({ TWILIO_MESSAGING_SERVICE_SID: SERVICE_SID });
    await askCode();
    expect(standIn.received[0]!.form.MessagingServiceSid).to.equal(SERVICE_SID);
  });

  const failures: Array<[string, StandInBehaviour, string]> = [
    [
      '21211 invalid number',
      { kind: 'twilioError', status: 400, code: 21211, message: "The 'To' number is not valid." },
      'invalidNumber',
    ],
    [
      '21614 not a mobile number',
      { kind: 'twilioError', status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
      'notMobile',
    ],
    [
      '20429 too many requests',
      { kind: 'twilioError', status: 429, code: 20429, message: 'Too Many Requests' },
      'rateLimited',
    ],
    [
      '30450 blocked by fraud protection',
      { kind: 'twilioError', status: 400, code: 30450, message: 'Message blocked' },
      'blocked',
    ],
    [
      '60410 prefix blocked for fraud',
      { kind: 'twilioError', status: 403, code: 60410, message: 'Verification delivery attempt blocked' },
      'blocked',
    ],
    ['HTTP 500', { kind: 'httpStatus', status: 500 }, 'unavailable'],
    ['a hang past the timeout', { kind: 'hang' }, 'unavailable'],
  ];
  for (const [label, behaviour, failure] of failures) {
    it(`answers calmly and the same after ${label}, and audits it`, async () => {
      await start();
      standIn.behaviour = behaviour;
      const started = Date.now();
      expect(await askCode()).to.contain(SAME_ANSWER);
      expect(Date.now() - started).to.be.below(5000);
      const failed = (await audit()).filter((entry) => entry.event === 'reset.send_failed');
      expect(failed).to.have.length(1);
      expect(failed[0]!.detail).to.include({ channel: 'sms', failure });
      expect(test.logs.join('\n')).not.to.match(/\b\d{6} is je herstelcode/);
    });
  }

  it('does not count a failed send against the account', async () => {
    await start();
    standIn.behaviour = { kind: 'httpStatus', status: 500 };
    for (let i = 0; i < 5; i++) await askCode();
    // Five failed texts; the account's limit of five an hour still lets an email through.
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('email');
    await chat.say(EMMA.email);
    expect(await latestResetLink(test, EMMA.email)).to.contain('/reset?token=');
  });

  describe('delivery status callbacks', () => {
    const url = 'https://help.streamflix.example/api/twilio/status';
    const fields = {
      MessageSid: `SM${'0'.repeat(31)}1`,
      MessageStatus: 'delivered',
      To: EMMA_PHONE,
      AccountSid: ACCOUNT_SID,
    };

    async function post(signature: string | undefined, body: Record<string, string>): Promise<number> {
      const response = await fetch(`${test.url}/api/twilio/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: new URLSearchParams(body).toString(),
      });
      return response.status;
    }

    it('records a callback with a valid signature, without the phone number', async () => {
      await start();
      expect(await post(twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, fields), fields)).to.equal(204);
      const status = (await audit()).find((entry) => entry.event === 'sms.status');
      expect(status?.detail).to.deep.equal({ messageSid: fields.MessageSid, status: 'delivered' });
      expect(JSON.stringify(status)).not.to.contain('612345678');
    });

    it('refuses a forged, missing or replayed-with-changes signature', async () => {
      await start();
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, fields);
      expect(await post(undefined, fields)).to.equal(403);
      expect(await post(twilio.getExpectedTwilioSignature('wrong-token', url, fields), fields)).to.equal(403);
      expect(await post(signature, { ...fields, MessageStatus: 'failed' })).to.equal(403);
      expect((await audit()).filter((entry) => entry.event === 'sms.status')).to.deep.equal([]);
    });
  });
});
