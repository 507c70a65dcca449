import { hash32 } from './prng.js';

const COLORS = [
  '#1677ff',
  '#13a8a8',
  '#52c41a',
  '#fa8c16',
  '#eb2f96',
  '#722ed1',
  '#2f54eb',
  '#fa541c',
  '#08979c',
  '#d4380d',
];

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A round avatar with the first character of the name on a colour derived from the id (stable per person). */
export function avatarSvg(id: string, name: string | null): string {
  const color = COLORS[hash32(id) % COLORS.length] ?? '#1677ff';
  const initial = name ? ([...name.trim()][0] ?? '?') : '?';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96" role="img" aria-label="${escapeXml(name ?? id)}">
<circle cx="48" cy="48" r="48" fill="${color}"/>
<text x="48" y="50" dy=".35em" text-anchor="middle" font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" font-size="44" fill="#fff">${escapeXml(initial)}</text>
</svg>`;
}
