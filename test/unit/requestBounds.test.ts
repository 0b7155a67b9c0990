import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { ConversationLog, type LogLimits } from '../../src/directline/conversationLog.js';
import { DEFAULT_LIMITS } from '../../src/config.js';
import { addressKey, clientAddress } from '../../src/security/clientAddress.js';
import { RateLimits } from '../../src/security/rateLimits.js';
import { jsonNestingDepth, measureValue, withinValueLimits } from '../../src/web/jsonShape.js';
import { isWellFormedTarget } from '../../src/web/requestUrl.js';

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('client addresses', () => {
  it('takes the peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress(request('198.51.100.4', '203.0.113.9'), 0)).to.equal('198.51.100.4');
    expect(clientAddress(request('::ffff:198.51.100.4'), 0)).to.equal('198.51.100.4');
  });

  it('takes the address the nearest trusted proxy saw, not what the client wrote before it', () => {
    expect(clientAddress(request('10.0.0.2', 'forged, 203.0.113.9'), 1)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.2', '203.0.113.9, 10.0.0.1'), 2)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.2', '203.0.113.9:51234'), 1)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.2', '[2001:db8::1]:443'), 1)).to.equal('2001:db8:0:0::/64');
  });

  it('falls back to the peer when the chain is too short or the hop is no address', () => {
    expect(clientAddress(request('10.0.0.2'), 1)).to.equal('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', 'not-an-address'), 1)).to.equal('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', '203.0.113.9'), 3)).to.equal('10.0.0.2');
  });

  it('groups IPv6 addresses by their /64', () => {
    expect(addressKey('2001:db8:1:2::1')).to.equal(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.to.equal(addressKey('2001:db8:1:3::1'));
    expect(addressKey('2001:0db8:0001:0002:0:0:0:1')).to.equal('2001:db8:1:2::/64');
    expect(addressKey('::1')).to.equal('0:0:0:0::/64');
    expect(addressKey('192.0.2.1')).to.equal('192.0.2.1');
  });
});

describe('request targets', () => {
  it('takes paths from the root whose escapes decode, and leaves the query to the route', () => {
    for (const url of ['/', '/reset?token=abc', '/reset?token=%00%ff', '/api/support/escalations/E-1%20x'])
      expect(isWellFormedTarget(url), url).to.equal(true);
    for (const url of [undefined, '', '*', '//', '//host/x', 'http://evil/x', '/%E0%A4%A', '/%', '/x'.repeat(3000)])
      expect(isWellFormedTarget(url), String(url)).to.equal(false);
  });
});

describe('JSON shape', () => {
  it('counts nesting without parsing, ignoring brackets inside strings', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":2}]}')).to.equal(3);
    expect(jsonNestingDepth('{"a":"[[[[[[\\"]]]"}')).to.equal(1);
    expect(jsonNestingDepth('1')).to.equal(0);
    expect(jsonNestingDepth('['.repeat(1_000_000))).to.equal(33, 'stops counting past the limit');
  });

  it('measures a parsed value without recursion, and stops past the size asked about', () => {
    expect(measureValue({ password: 'abc', confirm: 'abc' }, 1000)).to.deep.equal({
      depth: 1,
      size: JSON.stringify({ password: 'abc', confirm: 'abc' }).length,
    });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(withinValueLimits(deep, 16_384)).to.equal(false);
    expect(withinValueLimits({ note: 'x'.repeat(16_000) }, 16_384)).to.equal(true);
    expect(withinValueLimits({ note: 'x'.repeat(17_000) }, 16_384)).to.equal(false);
  });
});

describe('the web chat history', () => {
  const limits: LogLimits = {
    activitiesPerConversation: 100,
    bytesPerActivity: 1000,
    bytesPerConversation: 3000,
    bytesInAll: 10_000,
  };
  const activity = (id: number, size = 500) => ({ id: String(id), type: 'message', text: 'x'.repeat(size) });

  it('refuses one activity over its own limit and keeps nothing of it', () => {
    const log = new ConversationLog(limits);
    expect(log.append('c', activity(1, 2000))).to.equal(false);
    expect(log.read('c', undefined).activities).to.deep.equal([]);
    expect(log.size).to.equal(0);
  });

  it("drops a conversation's oldest activities past its byte limit, and the watermark still counts them", () => {
    const log = new ConversationLog(limits);
    for (let i = 1; i <= 10; i++) expect(log.append('c', activity(i))).to.equal(true);
    const { activities, watermark } = log.read('c', undefined);
    expect(watermark).to.equal(10);
    expect(activities.map((a) => a.id)).to.deep.equal(['6', '7', '8', '9', '10']);
    expect(log.size).to.be.at.most(3000);
  });

  it('lets the least recently used conversations go past the limit in all, keeping a reader in place', () => {
    const log = new ConversationLog(limits);
    let heard = 0;
    log.subscribe('read-by-a-socket', () => heard++);
    log.append('read-by-a-socket', activity(0));
    for (let c = 0; c < 30; c++) log.append(`c${c}`, activity(c));
    expect(log.size).to.be.at.most(10_000);
    expect(log.read('c0', undefined).activities).to.deep.equal([]);
    expect(log.read('c29', undefined).activities).to.have.length(1);
    log.append('read-by-a-socket', activity(1));
    expect(heard).to.equal(2, 'the socket still hears its conversation');
    expect(log.read('read-by-a-socket', 1).activities.map((a) => a.id)).to.deep.equal(['1']);
  });

  it('keeps going when a reader fails', () => {
    const log = new ConversationLog(limits);
    log.subscribe('c', () => {
      throw new Error('socket gone');
    });
    expect(log.append('c', activity(1))).to.equal(true);
  });
});

describe('ticket limits', () => {
  it('count per conversation, per client address and for everyone together; a refusal uses up nothing wider', async () => {
    const limits = new RateLimits({
      ...DEFAULT_LIMITS,
      ticketsPerConversationHour: 2,
      ticketsPerClientAddressHour: 3,
      ticketsOverallHour: 5,
    });
    const allowed = async (conversationId: string, clientAddress?: string) =>
      (await limits.ticket({ conversationId, ...(clientAddress ? { clientAddress } : {}) })).allowed;
    expect(await allowed('a', '192.0.2.1')).to.equal(true);
    expect(await allowed('a', '192.0.2.1')).to.equal(true);
    expect(await allowed('a', '192.0.2.1')).to.equal(false, 'the conversation had its two');
    expect(await allowed('b', '192.0.2.1')).to.equal(true);
    expect(await allowed('c', '192.0.2.1')).to.equal(false, 'the address had its three');
    expect(await allowed('d', '192.0.2.2')).to.equal(true);
    expect(await allowed('e')).to.equal(true);
    expect(await allowed('f')).to.equal(false, 'everyone together had their five');
  });
});
