import { crc32, deflateSync } from 'node:zlib';

/**
 * Product pictures for the demo's image scripts, drawn here as PNGs (WeCom's media/upload takes only JPG/PNG, and
 * the demo has no network). Each is a soft gradient with a "product" silhouette, distinct per picture.
 */
export const SCRIPT_IMAGES = {
  'smart-watch': { from: [22, 119, 255], to: [105, 177, 255], shape: 'watch' },
  earbuds: { from: [19, 168, 168], to: [135, 232, 222], shape: 'buds' },
  'robot-vacuum': { from: [114, 46, 209], to: [179, 127, 235], shape: 'disc' },
  'air-purifier': { from: [82, 196, 26], to: [183, 235, 143], shape: 'tower' },
  'promo-poster': { from: [250, 84, 28], to: [255, 187, 150], shape: 'badge' },
  'parcel-guide': { from: [250, 140, 22], to: [255, 213, 145], shape: 'box' },
} as const satisfies Record<string, { from: readonly number[]; to: readonly number[]; shape: string }>;

export type ScriptImageName = keyof typeof SCRIPT_IMAGES;

/** Where the demo serves them (outside /api: WeCom's upload step downloads them without a session). */
export const SCRIPT_IMAGE_PREFIX = '/demo-assets/scripts/';

export const scriptImagePath = (name: ScriptImageName) => `${SCRIPT_IMAGE_PREFIX}${name}.png`;

const WIDTH = 480;
const HEIGHT = 320;

function inShape(shape: string, x: number, y: number): boolean {
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2;
  const dx = x - cx;
  const dy = y - cy;
  switch (shape) {
    case 'watch':
      return dx * dx + dy * dy < 70 * 70 || (Math.abs(dx) < 40 && Math.abs(dy) < 130);
    case 'buds':
      return (dx + 60) ** 2 + dy ** 2 < 45 ** 2 || (dx - 60) ** 2 + dy ** 2 < 45 ** 2;
    case 'disc':
      return dx * dx + dy * dy < 110 * 110 && !(dx * dx + (dy + 60) ** 2 < 18 * 18);
    case 'tower':
      return Math.abs(dx) < 60 && Math.abs(dy) < 120 && !(Math.abs(dx) < 40 && Math.abs(dy + 70) < 8);
    case 'badge':
      return Math.abs(dx) + Math.abs(dy) < 120;
    default:
      return Math.abs(dx) < 110 && Math.abs(dy) < 80 && !(Math.abs(dy + 20) < 6);
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function render(name: ScriptImageName): Buffer {
  const { from, to, shape } = SCRIPT_IMAGES[name];
  const rows = Buffer.alloc((WIDTH * 3 + 1) * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    const offset = y * (WIDTH * 3 + 1);
    rows[offset] = 0; // filter: none
    const t = y / (HEIGHT - 1);
    for (let x = 0; x < WIDTH; x++) {
      const p = offset + 1 + x * 3;
      const white = inShape(shape, x, y);
      for (let c = 0; c < 3; c++) {
        const bg = Math.round(from[c]! + (to[c]! - from[c]!) * t);
        rows[p + c] = white ? 255 : bg;
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(WIDTH, 0);
  ihdr.writeUInt32BE(HEIGHT, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const cache = new Map<ScriptImageName, Buffer>();

/** The PNG bytes of a demo picture, or null for an unknown name. */
export function scriptImage(name: string): Buffer | null {
  if (!Object.hasOwn(SCRIPT_IMAGES, name)) return null;
  const key = name as ScriptImageName;
  let png = cache.get(key);
  if (!png) {
    png = render(key);
    cache.set(key, png);
  }
  return png;
}
