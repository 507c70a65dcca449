import type { EmulatorCorp } from './types.js';

/**
 * The fixed demo corp the emulator plays in demo mode (`npm start` without WeCom credentials) and in tests.
 * Shaped like real credentials: corp id `ww` + 16 hex, 32-char secret, token ≤ 32 alnum, 43-char EncodingAESKey.
 */
export const DEMO_CORP: Readonly<EmulatorCorp> = Object.freeze({
  corpId: 'ww5e1d7c3a9b24f680',
  corpName: '星河优选',
  agentId: 1000002,
  secret: 'XhY7dmQ2pL9sKfA3tR8wVbN4cJ6eZu1G',
  token: 'XingHeDemoToken2024',
  encodingAesKey: 'kQ3mZ8pR2vX7nB5tY1wL9cF4hJ6dS0aG2eU8iO3rT5y',
});
