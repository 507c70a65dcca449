import { list, type Plugin } from 'postcss';

/**
 * Drops remote sources from `@font-face` rules. Vant's icon font is embedded as a data: WOFF2 but lists a CDN WOFF
 * (at.alicdn.com) as a fallback; the sidebar's CSP allows fonts from itself and data: only, so Chromium reports a
 * violation for that URL on every load (and an intranet could not reach it anyway).
 */
export function localFontSources(): Plugin {
  return {
    postcssPlugin: 'local-font-sources',
    AtRule: {
      'font-face': (rule) => {
        rule.walkDecls('src', (decl) => {
          const sources = list.comma(decl.value);
          const local = sources.filter((s) => !/url\(\s*['"]?(https?:)?\/\//i.test(s));
          if (local.length === 0) throw decl.error('every source of this @font-face is remote');
          if (local.length < sources.length) decl.value = local.join(', ');
        });
      },
    },
  };
}
