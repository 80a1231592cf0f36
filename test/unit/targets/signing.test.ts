import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../../src/targets/http/index.js';

describe('Standard Webhooks signature', () => {
  it('reproduces the reference vector of the Standard Webhooks libraries', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const h = signWebhook([key], 'msg_p5jXN8AQM9LWM0D4loKWxJek', Buffer.from('{"test": 2432232314}'), 1614265330);
    expect(h).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('one space-separated v1 signature per key', () => {
    const h = signWebhook([Buffer.alloc(24, 1), Buffer.alloc(24, 2)], 'id', new Uint8Array([0, 255]), 1);
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });
});
