import postcss from 'postcss';
import { describe, expect, it } from 'vitest';
import { localFontSources } from '../../../sidebar/build/local-font-sources.js';

const run = (css: string) => postcss([localFontSources()]).process(css, { from: undefined }).css;

describe('sidebar build: @font-face sources stay local', () => {
  it("drops Vant's CDN fallback and keeps the embedded font", () => {
    const out = run(
      '@font-face{font-family:vant-icon;src:url(data:font/woff2;charset=utf-8;base64,d09GMg,AA==)format("woff2"),' +
        'url(//at.alicdn.com/t/c/font_2553510.woff?t=1)format("woff")}',
    );
    expect(out).toContain('src:url(data:font/woff2;charset=utf-8;base64,d09GMg,AA==)format("woff2")}');
    expect(out).not.toContain('alicdn');
  });

  it('drops http and https sources, keeps same-origin paths, and leaves other rules alone', () => {
    const out = run(
      `@font-face { font-family: a; src: url("https://cdn.example.com/a.woff2") format("woff2"), url('/fonts/a.woff') format("woff"), url(http://x.example/a.ttf) }
       .icon { background: url(https://cdn.example.com/bg.png) }`,
    );
    expect(out).toContain(`font-family: a; src: url('/fonts/a.woff') format("woff") }`);
    expect(out).not.toContain('a.woff2');
    expect(out).not.toContain('a.ttf');
    expect(out).toContain('.icon { background: url(https://cdn.example.com/bg.png) }');
  });

  it('refuses a font whose every source is remote, naming it', () => {
    expect(() => run('@font-face { font-family: b; src: url(https://cdn.example.com/b.woff2) }')).toThrow(
      /every source of this @font-face is remote/,
    );
  });
});
